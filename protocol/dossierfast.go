package protocol

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// quickKeyLine splits "  clé: reste" into its indentation, key and rest.
func quickKeyLine(line string) (indent int, key, rest string, ok bool) {
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	i := indent
	for i < len(line) && (line[i] >= 'a' && line[i] <= 'z' || line[i] == '_') {
		i++
	}
	if i == indent || i >= len(line) || line[i] != ':' {
		return 0, "", "", false
	}
	key, rest = line[indent:i], line[i+1:]
	if rest != "" && rest[0] != ' ' {
		return 0, "", "", false
	}
	return indent, key, strings.TrimSpace(rest), true
}

var (
	reQuickNotText = regexp.MustCompile(`^(?i:true|false|yes|no|on|off|y|n|null|~)$`)
)

// quickDossier reads dossier.yaml for list, which reads hundreds of them.
// The plain shape written by init (nested "clé: valeur" lines, quoted or
// simple values, comments, flow lists of simple items) is read by this small
// exact reader; for anything else (block lists, anchors, multi-line values,
// unknown or duplicate keys, values YAML would type as numbers or dates) ok is
// false and the caller uses [ParseDossier], so the result and the errors are
// always those of the full parser (FuzzQuickDossier checks it).
func quickDossier(data []byte) (*Dossier, bool) {
	d := &Dossier{}
	root := reflect.ValueOf(d).Elem()
	// stack of (indent, struct value) for the current nesting.
	type level struct {
		indent int
		v      reflect.Value
		seen   map[string]bool
	}
	stack := []level{{0, root, map[string]bool{}}}
	pending := false // the previous key opened a mapping
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		if strings.ContainsRune(line, '\t') {
			return nil, false
		}
		indent, key, rest, ok := quickKeyLine(line)
		if !ok {
			return nil, false
		}
		if pending {
			if indent <= stack[len(stack)-1].indent {
				return nil, false // an empty mapping: let YAML decide
			}
			stack[len(stack)-1].indent = indent
			pending = false
		}
		for len(stack) > 1 && indent < stack[len(stack)-1].indent {
			stack = stack[:len(stack)-1]
		}
		cur := &stack[len(stack)-1]
		if indent != cur.indent || cur.seen[key] {
			return nil, false
		}
		cur.seen[key] = true
		f, ok := fieldByTag(cur.v, key)
		if !ok {
			return nil, false
		}
		value, isMap, ok := quickValue(rest)
		if !ok {
			return nil, false
		}
		if isMap {
			if f.Kind() != reflect.Struct {
				return nil, false
			}
			stack = append(stack, level{indent, f, map[string]bool{}})
			pending = true
			continue
		}
		if !setQuick(f, value, rest) {
			return nil, false
		}
	}
	if pending {
		return nil, false
	}
	return d, true
}

// isQuickPlain tells whether a plain value is one the reader takes as a
// string: a letter, then letters, digits, spaces and _.,'()/+@-. YAML would
// type the others (numbers, booleans, null, dates) or read them differently.
func isQuickPlain(s string) bool {
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
		case i == 0:
			return false
		case unicode.IsDigit(r) || strings.ContainsRune(" _.,'()/+@-", r):
		default:
			return false
		}
	}
	return s != ""
}

// quickValue reads the text after "clé:": a comment, nothing (a mapping
// follows), a quoted or plain scalar, or a flow list.
func quickValue(rest string) (value []string, isMap, ok bool) {
	rest = strings.TrimSpace(rest)
	if rest == "" || rest[0] == '#' {
		return nil, true, true
	}
	var v string
	switch rest[0] {
	case '"':
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, false, false
		}
		v = rest[1 : end+1]
		if strings.ContainsAny(v, `\`) {
			return nil, false, false
		}
		rest = rest[end+2:]
	case '\'':
		end := strings.IndexByte(rest[1:], '\'')
		if end < 0 {
			return nil, false, false
		}
		v = rest[1 : end+1]
		rest = rest[end+2:]
		if strings.HasPrefix(rest, "'") {
			return nil, false, false // an escaped quote
		}
	case '[':
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return nil, false, false
		}
		items, ok := quickList(rest[1:end])
		if !ok || !quickTail(rest[end+1:]) {
			return nil, false, false
		}
		return items, false, true
	default:
		plain := rest
		if i := strings.Index(plain, " #"); i >= 0 {
			plain = plain[:i]
		}
		plain = strings.TrimSpace(plain)
		if !isQuickPlain(plain) || strings.Contains(plain, ": ") {
			// numbers, booleans and dates are typed by YAML: keep them for
			// setQuick only when the target is a number or a boolean.
			if _, err := strconv.Atoi(plain); err == nil {
				return []string{plain}, false, true
			}
			return nil, false, false
		}
		return []string{plain}, false, true
	}
	if !quickTail(rest) {
		return nil, false, false
	}
	return []string{v}, false, true
}

// quickTail accepts what may follow a quoted value: spaces and a comment.
func quickTail(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || (t[0] == '#' && len(t) < len(s))
}

// quickList reads the inside of a flow list of simple double-quoted or plain items.
func quickList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []string{}, true
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		switch {
		case len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"':
			inner := part[1 : len(part)-1]
			if strings.ContainsAny(inner, `"\`) {
				return nil, false
			}
			out = append(out, inner)
		case isQuickPlain(part) && !reQuickNotText.MatchString(part) && !strings.ContainsAny(part, ":#"):
			out = append(out, part)
		default:
			return nil, false
		}
	}
	return out, true
}

// setQuick stores a value into a field of the matching kind; ok is false
// when YAML could read it differently.
func setQuick(f reflect.Value, value []string, raw string) bool {
	quoted := strings.HasPrefix(strings.TrimSpace(raw), `"`) || strings.HasPrefix(strings.TrimSpace(raw), `'`)
	switch f.Kind() {
	case reflect.String:
		if len(value) != 1 || strings.HasPrefix(strings.TrimSpace(raw), "[") {
			return false
		}
		if !quoted && (reQuickNotText.MatchString(value[0]) || !isQuickPlain(value[0])) {
			return false
		}
		f.SetString(value[0])
	case reflect.Int:
		if quoted || len(value) != 1 {
			return false
		}
		n, err := strconv.Atoi(value[0])
		if err != nil {
			return false
		}
		f.SetInt(int64(n))
	case reflect.Bool:
		if quoted || len(value) != 1 || (value[0] != "true" && value[0] != "false") {
			return false
		}
		f.SetBool(value[0] == "true")
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.String || !strings.HasPrefix(strings.TrimSpace(raw), "[") {
			return false
		}
		s := reflect.MakeSlice(f.Type(), len(value), len(value))
		for i, v := range value {
			s.Index(i).SetString(v)
		}
		f.Set(s)
	default:
		return false
	}
	return true
}

var tagIndex sync.Map // reflect.Type -> map[string]int

// fieldByTag returns the field of struct v whose yaml tag is key.
func fieldByTag(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	m, ok := tagIndex.Load(t)
	if !ok {
		idx := map[string]int{}
		for i := 0; i < t.NumField(); i++ {
			idx[strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]] = i
		}
		m, _ = tagIndex.LoadOrStore(t, idx)
	}
	i, ok := m.(map[string]int)[key]
	if !ok {
		return reflect.Value{}, false
	}
	return v.Field(i), true
}
