// Command render runs templates through Go's text/template the way Nomad's template runner
// (consul-template) does, against a fake service catalog given in the request, so that the
// tests can check that every template translate writes parses and executes.
//
// Standard library only; build it with `go build -o render ./tests/gotemplate/main.go`.
//
// Input on stdin: one JSON request, or a JSON array of requests (answered by an array, in
// order). A request:
//
//	{"template": "...",
//	 "nomad":  {"<service name>": [{"Address": "192.0.2.10", "Port": 8080, "Tags": ["a"]}, ...]},
//	 "consul": {"<service name>": [...]},
//	 "env": {"KEY": "value"},
//	 "variables": {"nomad/jobs/x": {"item": "value"}}}
//
// An instance may also give ID, Name, Node, NodeID, NodeAddress, Datacenter, JobID, AllocID,
// Status (Consul check status, default "passing") and Meta. A service name present with an
// empty list is registered with no instance; an absent name was never registered.
//
// Output: {"output": "...", "error": "...", "missing": ["nomad:db", ...], "unset_env": ["X"]}.
// "error" holds the parse or execute error (empty on success); "missing" lists lookups of a
// name absent from that provider's catalog ("nomad:<name>", "consul:<name>", "var:<path>");
// "unset_env" lists `env` lookups of a variable absent from "env".
//
// The functions below are the ones translate's templates call, with consul-template's
// argument forms, result types and field names (hashicorp/consul-template, template/funcs.go,
// template/nomad_funcs.go, dependency/nomad_service.go, dependency/health_service.go,
// dependency/nomad_var_structs.go). Any other function is undefined, so a template that calls
// one fails to parse, as it would in Nomad if consul-template did not have it either: add a
// function here, with its real semantics, before the translator emits it.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

// Instance is one registration of a service in the fake catalog, as the request gives it.
type Instance struct {
	ID          string
	Name        string
	Node        string
	NodeID      string
	NodeAddress string
	Address     string
	Port        int
	Tags        []string
	Datacenter  string
	JobID       string
	AllocID     string
	Status      string
	Meta        map[string]string
}

type request struct {
	Template  string                       `json:"template"`
	Nomad     map[string][]Instance        `json:"nomad"`
	Consul    map[string][]Instance        `json:"consul"`
	Env       map[string]string            `json:"env"`
	Variables map[string]map[string]string `json:"variables"`
}

type answer struct {
	Output   string   `json:"output"`
	Error    string   `json:"error"`
	Missing  []string `json:"missing"`
	UnsetEnv []string `json:"unset_env"`
}

// ServiceTags is the tag list of a service; sorted, as consul-template returns it.
type ServiceTags []string

// NomadService is what `nomadService` returns per instance: the fields of consul-template's
// dependency.NomadService.
type NomadService struct {
	ID         string
	Name       string
	Node       string
	Address    string
	Port       int
	Datacenter string
	Tags       ServiceTags
	JobID      string
	AllocID    string
}

// ServiceAddress is an entry of a Consul service's tagged addresses.
type ServiceAddress struct {
	Address string
	Port    int
}

// HealthCheck is one check of a Consul health entry (the commonly read fields of Consul's
// api.HealthCheck).
type HealthCheck struct {
	Node        string
	CheckID     string
	Name        string
	Status      string
	Notes       string
	Output      string
	ServiceID   string
	ServiceName string
	ServiceTags []string
	Type        string
}

// AgentWeights are a Consul service's DNS weights.
type AgentWeights struct {
	Passing int
	Warning int
}

// HealthService is what `service` returns per instance: the fields of consul-template's
// dependency.HealthService.
type HealthService struct {
	Node                   string
	NodeID                 string
	NodeAddress            string
	NodeTaggedAddresses    map[string]string
	NodeMeta               map[string]string
	ServiceMeta            map[string]string
	Address                string
	ServiceTaggedAddresses map[string]ServiceAddress
	ID                     string
	Name                   string
	Tags                   ServiceTags
	Checks                 []*HealthCheck
	Status                 string
	Port                   int
	Weights                AgentWeights
}

// NomadVarItem is one item of a Nomad variable; templates read its value with .String (or
// .Value), and toJSON writes it as a JSON string.
type NomadVarItem struct {
	Key   string
	Value string
}

func (i NomadVarItem) String() string { return i.Value }

// MarshalJSON writes the item as its value, as consul-template does.
func (i NomadVarItem) MarshalJSON() ([]byte, error) { return json.Marshal(i.Value) }

// NomadVarItems is what `nomadVar` returns: the items of one variable by key.
type NomadVarItems map[string]NomadVarItem

// Keys are the item keys, sorted.
func (v NomadVarItems) Keys() []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Values are the item values in key order.
func (v NomadVarItems) Values() []string {
	values := make([]string, 0, len(v))
	for _, k := range v.Keys() {
		values = append(values, v[k].Value)
	}
	return values
}

// Tuples are (K, V) pairs in key order.
func (v NomadVarItems) Tuples() []struct{ K, V string } {
	pairs := make([]struct{ K, V string }, 0, len(v))
	for _, k := range v.Keys() {
		pairs = append(pairs, struct{ K, V string }{k, v[k].Value})
	}
	return pairs
}

// ItemsMap is the items as a plain map of strings (nil when there are none).
func (v NomadVarItems) ItemsMap() map[string]interface{} {
	if len(v) == 0 {
		return nil
	}
	plain := make(map[string]interface{}, len(v))
	for k, item := range v {
		plain[k] = item.Value
	}
	return plain
}

// Query grammars: the same languages consul-template's query regular expressions accept.
var (
	// nomadService: [tag.]name[@region]
	nomadQuery = regexp.MustCompile(
		`\A(?:(?P<tag>[[:word:]=:.\-]+)\.)?(?P<name>[[:word:]\-]+)(?:@(?P<region>[[:word:].\-]+))?\z`)
	// service: [tag.]name[?ns=..&partition=..&peer=..&sameness-group=..][@dc][~near][|filter,...]
	healthQuery = regexp.MustCompile(`\A(?:(?P<tag>[[:word:]=:.\-]+)\.)?(?P<name>[[:word:]\-]+)` +
		`(?:\?(?P<query>[[:word:]\-=&]+))?(?:@(?P<dc>[[:word:].\-]+))?` +
		`(?:~(?P<near>[[:word:].\-]+))?(?:\|(?P<filter>[[:word:],]+))?\z`)
	// nomadVar: path[@namespace][.region]
	variableQuery = regexp.MustCompile(
		`\A/?(?P<path>[^@]+)(?:@(?P<namespace>[[:word:]\-]+))?(?:\.(?P<region>[[:word:]\-]+))?\z`)
)

func groups(re *regexp.Regexp, text string) map[string]string {
	found := map[string]string{}
	match := re.FindStringSubmatch(text)
	for i, name := range re.SubexpNames() {
		if name != "" && match != nil {
			found[name] = match[i]
		}
	}
	return found
}

// run holds one request's catalog and what its lookups found missing.
type run struct {
	req      request
	missing  []string
	unsetEnv []string
}

func (r *run) miss(list *[]string, item string) {
	for _, seen := range *list {
		if seen == item {
			return
		}
	}
	*list = append(*list, item)
}

func (r *run) funcs() template.FuncMap {
	return template.FuncMap{
		"nomadService": r.nomadService,
		"service":      r.service,
		"nomadVar":     r.nomadVar,
		"env":          r.env,
		"contains":     contains,
		"toJSON":       toJSON,
	}
}

// nomadService "[tag.]name[@region]", or nomadService N "key" "[tag.]name": every instance of
// the service in the job's namespace, whatever its checks say; the three-argument form keeps
// a stable subset of N chosen for the key (rendezvous hashing). Nothing registered: nil.
func (r *run) nomadService(args ...interface{}) ([]*NomadService, error) {
	var query, key string
	count, choosing := 0, false
	switch len(args) {
	case 1:
		text, ok := args[0].(string)
		if !ok {
			return nil, errors.New("expected string for <service> argument")
		}
		query = text
	case 3:
		n, ok := args[0].(int)
		if !ok {
			return nil, errors.New("expected integer for <count> argument")
		}
		k, ok := args[1].(string)
		if !ok {
			return nil, errors.New("expected string for <key> argument")
		}
		text, ok := args[2].(string)
		if !ok {
			return nil, errors.New("expected string for <service> argument")
		}
		count, key, query, choosing = n, k, text, true
	default:
		return nil, errors.New("expected arguments <service> or <count> <key> <service>")
	}
	if !nomadQuery.MatchString(query) {
		return nil, fmt.Errorf("nomad.service: invalid format: %q", query)
	}
	if choosing && (count < 0 || key == "") {
		return nil, fmt.Errorf("nomad.service: malformed choose parameter %d|%s", count, key)
	}
	parts := groups(nomadQuery, query)
	registered, ok := r.req.Nomad[parts["name"]]
	if !ok {
		r.miss(&r.missing, "nomad:"+parts["name"])
		return nil, nil
	}
	found := make([]*NomadService, 0, len(registered))
	for i, s := range registered {
		if parts["tag"] != "" && !hasTag(s.Tags, parts["tag"]) {
			continue
		}
		found = append(found, &NomadService{
			ID:         or(s.ID, fmt.Sprintf("_nomad-task-%s-%d", parts["name"], i)),
			Name:       or(s.Name, parts["name"]),
			Node:       s.Node,
			Address:    s.Address,
			Port:       s.Port,
			Datacenter: or(s.Datacenter, "dc1"),
			Tags:       sortedTags(s.Tags),
			JobID:      s.JobID,
			AllocID:    s.AllocID,
		})
	}
	if choosing {
		found = choose(found, count, key)
	}
	return found, nil
}

// choose keeps n instances, ranked by a hash of each instance with the key: the same key
// keeps the same instances while they exist (Nomad's server ranks by its own hash function).
func choose(found []*NomadService, n int, key string) []*NomadService {
	rank := func(s *NomadService) string {
		h := sha256.New()
		var port [8]byte
		binary.BigEndian.PutUint64(port[:], uint64(s.Port))
		for _, part := range []string{s.ID, s.AllocID, s.Address, s.Name, key} {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		h.Write(port[:])
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	ranked := append([]*NomadService(nil), found...)
	sort.SliceStable(ranked, func(i, j int) bool { return rank(ranked[i]) < rank(ranked[j]) })
	if n < len(ranked) {
		ranked = ranked[:n]
	}
	return ranked
}

var healthStatuses = map[string]bool{"any": true, "passing": true, "warning": true, "critical": true, "maintenance": true}

// service "[tag.]name[@dc]" [filter]: the Consul health entries of the service; by default
// only those whose checks pass, else those whose status is in the comma-separated filter
// ("any" for all). The arguments are joined with "|", so a filter may also be written inline.
// The fake catalog serves every datacenter. Nothing registered: an empty list.
func (r *run) service(args ...string) ([]*HealthService, error) {
	found := []*HealthService{}
	if len(args) == 0 || args[0] == "" {
		return found, nil
	}
	query := strings.Join(args, "|")
	if !healthQuery.MatchString(query) {
		return nil, fmt.Errorf("health.service: invalid format: %q", query)
	}
	parts := groups(healthQuery, query)
	if parts["query"] != "" {
		for _, pair := range strings.Split(parts["query"], "&") {
			k, _, _ := strings.Cut(pair, "=")
			switch k {
			case "ns", "partition", "peer", "sameness-group":
			default:
				return nil, fmt.Errorf("health.service: invalid query parameter key %q in %q", k, query)
			}
		}
	}
	filters := []string{}
	for _, f := range strings.Split(parts["filter"], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !healthStatuses[f] {
			return nil, fmt.Errorf("health.service: invalid filter: %q in %q", f, query)
		}
		filters = append(filters, f)
	}
	if parts["filter"] == "" { // no filter: passing only (a filter of bare commas accepts nothing)
		filters = []string{"passing"}
	}
	registered, ok := r.req.Consul[parts["name"]]
	if !ok {
		r.miss(&r.missing, "consul:"+parts["name"])
		return found, nil
	}
	for i, s := range registered {
		if parts["tag"] != "" && !hasTag(s.Tags, parts["tag"]) {
			continue
		}
		status := or(s.Status, "passing")
		if !accepts(filters, status) {
			continue
		}
		node := or(s.Node, fmt.Sprintf("node-%d", i+1))
		nodeAddress := or(s.NodeAddress, s.Address)
		id := or(s.ID, fmt.Sprintf("%s-%d", parts["name"], i+1))
		name := or(s.Name, parts["name"])
		found = append(found, &HealthService{
			Node:                   node,
			NodeID:                 s.NodeID,
			NodeAddress:            nodeAddress,
			NodeTaggedAddresses:    map[string]string{"lan": nodeAddress},
			NodeMeta:               map[string]string{},
			ServiceMeta:            copyMap(s.Meta),
			Address:                or(s.Address, nodeAddress),
			ServiceTaggedAddresses: map[string]ServiceAddress{},
			ID:                     id,
			Name:                   name,
			Tags:                   sortedTags(s.Tags),
			Checks: []*HealthCheck{{
				Node: node, CheckID: "service:" + id, Name: "Service '" + name + "' check",
				Status: status, ServiceID: id, ServiceName: name, ServiceTags: sortedTags(s.Tags),
			}},
			Status:  status,
			Port:    s.Port,
			Weights: AgentWeights{Passing: 1, Warning: 1},
		})
	}
	if parts["near"] == "" { // sorted by node, then ID, unless ordered by distance
		sort.SliceStable(found, func(i, j int) bool {
			if found[i].Node != found[j].Node {
				return found[i].Node < found[j].Node
			}
			return found[i].ID < found[j].ID
		})
	}
	return found, nil
}

func accepts(filters []string, status string) bool {
	for _, f := range filters {
		if f == "any" || f == status {
			return true
		}
	}
	return false
}

// nomadVar "path[@namespace]": the items of a Nomad variable; nil when it does not exist (Nomad
// then waits for it before rendering).
func (r *run) nomadVar(path string) (NomadVarItems, error) {
	path = strings.Trim(strings.TrimSpace(path), "/")
	if path == "" {
		return nil, nil
	}
	if !variableQuery.MatchString(path) {
		return nil, fmt.Errorf("nomad.var.get: invalid format: %q", path)
	}
	name := groups(variableQuery, path)["path"]
	items, ok := r.req.Variables[name]
	if !ok {
		r.miss(&r.missing, "var:"+name)
		return nil, nil
	}
	found := NomadVarItems{}
	for k, v := range items {
		found[k] = NomadVarItem{Key: k, Value: v}
	}
	return found, nil
}

// env "NAME": the task's environment variable, "" when unset. Only the request's environment
// is read, never this process's.
func (r *run) env(name string) (string, error) {
	value, ok := r.req.Env[name]
	if !ok {
		r.miss(&r.unsetEnv, name)
	}
	return value, nil
}

// contains: `list | contains value` (or `text | contains part`): in(list, value).
func contains(value, list interface{}) (bool, error) {
	return in(list, value)
}

// in: whether a list holds an element equal to value (integers with integers, floats with
// floats, strings with strings of the same type), or a string contains value as a substring.
func in(list, value interface{}) (bool, error) {
	l, v := reflect.ValueOf(list), reflect.ValueOf(value)
	switch l.Kind() {
	case reflect.String:
		return v.IsValid() && v.Type() == l.Type() && strings.Contains(l.String(), v.String()), nil
	case reflect.Slice, reflect.Array:
		for i := 0; i < l.Len(); i++ {
			if same(l.Index(i), v) {
				return true, nil
			}
		}
	}
	return false, nil
}

func same(element, value reflect.Value) bool {
	for element.Kind() == reflect.Interface && !element.IsNil() {
		element = element.Elem()
	}
	if !value.IsValid() {
		return false
	}
	switch element.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch value.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return element.Int() == value.Int()
		}
	case reflect.Float32, reflect.Float64:
		switch value.Kind() {
		case reflect.Float32, reflect.Float64:
			return element.Float() == value.Float()
		}
	case reflect.String:
		return element.Type() == value.Type() && element.String() == value.String()
	}
	return false
}

// toJSON: the value as compact JSON (Go's encoding, which escapes <, > and & as \u003c ...).
func toJSON(value interface{}) (string, error) {
	encoded, err := json.Marshal(value)
	if err != nil {
		return "", fmt.Errorf("toJSON: %w", err)
	}
	return string(bytes.TrimSpace(encoded)), nil
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

func sortedTags(tags []string) ServiceTags {
	sorted := append(ServiceTags{}, tags...)
	sort.Strings(sorted)
	return sorted
}

func copyMap(m map[string]string) map[string]string {
	copied := map[string]string{}
	for k, v := range m {
		copied[k] = v
	}
	return copied
}

func or(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

// render parses and executes one template with consul-template's settings: default
// delimiters, a missing map key renders as the zero value.
func render(req request) answer {
	r := &run{req: req}
	out := answer{Missing: []string{}, UnsetEnv: []string{}}
	tmpl, err := template.New("").Funcs(r.funcs()).Option("missingkey=zero").Parse(req.Template)
	if err != nil {
		out.Error = "parse: " + err.Error()
		return out
	}
	var rendered bytes.Buffer
	if err := tmpl.Execute(&rendered, nil); err != nil {
		out.Error = "execute: " + err.Error()
	}
	out.Output = rendered.String()
	out.Missing = append(out.Missing, r.missing...)
	out.UnsetEnv = append(out.UnsetEnv, r.unsetEnv...)
	return out
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render: reading stdin:", err)
		os.Exit(2)
	}
	trimmed := bytes.TrimSpace(input)
	var reply interface{}
	if bytes.HasPrefix(trimmed, []byte("[")) {
		var batch []request
		err = json.Unmarshal(trimmed, &batch)
		answers := make([]answer, len(batch))
		for i, req := range batch {
			answers[i] = render(req)
		}
		reply = answers
	} else {
		var req request
		err = json.Unmarshal(trimmed, &req)
		reply = render(req)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "render: reading the request:", err)
		os.Exit(2)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(reply); err != nil {
		fmt.Fprintln(os.Stderr, "render: writing the answer:", err)
		os.Exit(2)
	}
}
