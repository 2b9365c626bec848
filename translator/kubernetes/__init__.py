"""Kubernetes manifests: loading (files, directories, stdin, multi-document, List) and parsing."""
