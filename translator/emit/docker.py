"""The docker driver's further config options (``DockerConfig.settings``), as HCL lines or API JSON.

Strings pass the driver's own HCL pass (Layer C) as every config string does. ``labels``,
``sysctl``, ``ulimit`` and ``logging.config`` are ``list(map(string))`` in the driver's schema:
one map, written as a map attribute in HCL and as a list of one map in the API.
"""

from __future__ import annotations

from typing import Any

from translator.emit.escape import config_layer_escape, hcl_config_value

_INDENT = "        "  # inside task > config


def hcl_docker_option(value: Any, option: str) -> str:
    """The lines of one option inside a task's ``config`` block (blocks after a blank line)."""
    if option == "logging":
        lines = ["", f"{_INDENT}logging {{", f"{_INDENT}  type = {hcl_config_value(value['type'])}"]
        if value["config"]:
            lines += _map_lines("config", value["config"], _INDENT + "  ")
        return "\n".join([*lines, f"{_INDENT}}}"])
    if option in ("devices", "mount"):  # repeated blocks
        blocks = []
        for fields in value:
            body = [f"{_INDENT}  {key} = {_hcl_scalar(field)}" for key, field in fields.items()]
            blocks += ["", f"{_INDENT}{option} {{", *body, f"{_INDENT}}}"]
        return "\n".join(blocks)
    if isinstance(value, dict):
        return "\n".join(_map_lines(option, value, _INDENT))
    return f"{_INDENT}{option} = {_hcl_scalar(value)}"


def _map_lines(name: str, values: dict[str, str], indent: str) -> list[str]:
    body = [f"{indent}  {hcl_config_value(key)} = {hcl_config_value(text)}" for key, text in values.items()]
    return [f"{indent}{name} = {{", *body, f"{indent}}}"]


def _hcl_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl_config_value(item) for item in value) + "]"
    return hcl_config_value(value)


def json_docker_option(option: str, value: Any) -> Any:
    if option == "logging":
        logging: dict[str, Any] = {"type": config_layer_escape(value["type"])}
        if value["config"]:
            logging["config"] = [_json_map(value["config"])]
        return logging
    if option in ("devices", "mount"):
        return [{key: json_docker_option(key, field) for key, field in fields.items()} for fields in value]
    if isinstance(value, dict):
        return [_json_map(value)]
    if isinstance(value, list):
        return [config_layer_escape(item) for item in value]
    return config_layer_escape(value) if isinstance(value, str) else value


def _json_map(values: dict[str, str]) -> dict[str, str]:
    return {config_layer_escape(key): config_layer_escape(text) for key, text in values.items()}
