package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"anefdossier/protocol"
)

// Form is dossier.yaml as a form: the sections and fields of the template
// written by init (labels from protocol.FieldLabels, help from the template's
// comments), the values read from the file, its problems, and the hash of the
// bytes the values come from (to detect a change on disk before saving).
type Form struct {
	Sections []FormSection
	// Hash is the SHA-256 of dossier.yaml as read.
	Hash string
	// Problems are the problems of `check` that belong to no field (syntax,
	// unknown key); field problems are on their field.
	Problems []protocol.Problem
	// Protocol is the protocol of the case (from the journal).
	Protocol string
	// Missing lists, per document, the empty fields it needs.
	Missing []DocMissing
}

// DocMissing is a document and the labels of the fields it still lacks.
type DocMissing struct {
	Title  string
	Fields []string
}

// FormSection is one top-level block of dossier.yaml (personne, procedure...).
type FormSection struct {
	Key, Title string
	Fields     []FormField
}

// FormField is one editable field.
type FormField struct {
	Path  string // dotted path: personne.lieu_naissance.ville
	Label string
	Help  string
	Type  string // "text", "list", "int", "bool", "longtext"
	Value string // lists: one item per line; bools: "true"/"false"
	// Problems of check for this field.
	Problems []string
	// Disk and Conflict are set on a conflict: the value now on disk,
	// and whether both the user and the disk changed it differently.
	Disk     string
	Conflict bool
	Changed  bool // changed on disk since the form was opened
}

// Lookup returns the field with that path, or nil.
func (f *Form) Field(path string) *FormField {
	for i := range f.Sections {
		for j := range f.Sections[i].Fields {
			if f.Sections[i].Fields[j].Path == path {
				return &f.Sections[i].Fields[j]
			}
		}
	}
	return nil
}

// Values returns the field values by path.
func (f *Form) Values() map[string]string {
	m := map[string]string{}
	for _, s := range f.Sections {
		for _, fl := range s.Fields {
			m[fl.Path] = fl.Value
		}
	}
	return m
}

var longText = map[string]bool{"blocage.description": true, "blocage.message_erreur": true,
	"personne.adresse": true, "prefecture.adresse": true, "representant.adresse": true}

// schema reads the sections and fields of the dossier.yaml template.
func schema(tmpl fs.FS) ([]FormSection, error) {
	yaml, err := protocol.DossierTemplate(tmpl, "x")
	if err != nil {
		return nil, err
	}
	types := fieldTypes()
	var sections []FormSection
	var comment []string
	var stack []string // keys by indentation level (2 spaces)
	for _, line := range strings.Split(string(yaml), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			comment = nil
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(trimmed, "#")))
			continue
		}
		m := reTmplLine.FindStringSubmatch(line)
		if m == nil {
			comment = nil
			continue
		}
		level := len(m[1]) / 2
		if level > len(stack) {
			level = len(stack)
		}
		stack = append(stack[:level], m[2])
		path := strings.Join(stack, ".")
		value, help := splitComment(m[3])
		switch {
		case level == 0 && value == "":
			title := strings.Join(comment, " ")
			sections = append(sections, FormSection{Key: m[2], Title: title})
		case level == 0:
			// protocole: shown apart (the journal decides).
		case value == "" && types[path] == "":
			// a nested mapping (lieu_naissance): its fields follow.
		default:
			if len(sections) == 0 {
				continue
			}
			typ := types[path]
			if typ == "text" && longText[path] {
				typ = "longtext"
			}
			label := protocol.Label(path)
			label = strings.ToUpper(label[:1]) + label[1:]
			sections[len(sections)-1].Fields = append(sections[len(sections)-1].Fields,
				FormField{Path: path, Label: label, Help: help, Type: typ})
		}
		comment = nil
	}
	return sections, nil
}

var reTmplLine = regexp.MustCompile(`^( *)([a-z_]+):(.*)$`)

// splitComment splits `"" # help` into the value and the help.
func splitComment(s string) (string, string) {
	s = strings.TrimSpace(s)
	inQuote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '"' || c == '\'':
			inQuote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		}
	}
	return s, ""
}

// fieldTypes maps each leaf path of protocol.Dossier to a form type.
func fieldTypes() map[string]string {
	out := map[string]string{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" {
				continue
			}
			p := tag
			if prefix != "" {
				p = prefix + "." + tag
			}
			switch f.Type.Kind() {
			case reflect.Struct:
				walk(f.Type, p)
			case reflect.Slice:
				out[p] = "list"
			case reflect.Int:
				out[p] = "int"
			case reflect.Bool:
				out[p] = "bool"
			default:
				out[p] = "text"
			}
		}
	}
	walk(reflect.TypeOf(protocol.Dossier{}), "")
	return out
}

// Form reads the case's dossier.yaml as a form.
func (w *Workspace) Form(rel string) (*Form, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(cs.Path(protocol.DossierFile))
	if err != nil {
		return nil, err
	}
	evs, _ := events(cs)
	return w.formOf(cs, data, cs.ProtocolID(evs))
}

func (w *Workspace) formOf(cs *protocol.Case, data []byte, protocolID string) (*Form, error) {
	sections, err := schema(w.Templates)
	if err != nil {
		return nil, err
	}
	f := &Form{Sections: sections, Hash: protocol.HashBytes(data), Protocol: protocolID}
	doc, perr := locate(data)
	if perr != nil {
		f.Problems = append(f.Problems, perr.(*protocol.DossierError).Problem)
	}
	for i := range f.Sections {
		for j := range f.Sections[i].Fields {
			fl := &f.Sections[i].Fields[j]
			if doc != nil {
				fl.Value = doc.value(fl.Path, fl.Type)
			}
		}
	}
	if perr == nil {
		d, file, err := protocol.ParseDossier(cs.Path(protocol.DossierFile), data)
		var de *protocol.DossierError
		if errors.As(err, &de) {
			// An unknown key is reported, and the rest still checked.
			f.Problems = append(f.Problems, de.Problem)
			d, file, err = lenientDossier(data)
		}
		switch {
		case err != nil:
			// the values cannot be decoded: the problem above says why
		default:
			for _, p := range d.Validate(file) {
				path := p.Field
				if i := strings.IndexByte(path, '['); i >= 0 {
					path = path[:i]
				}
				if fl := f.Field(path); fl != nil {
					fl.Problems = append(fl.Problems, p.Message)
				} else {
					f.Problems = append(f.Problems, p)
				}
			}
			if p, err := protocol.LoadProtocol(w.Templates, protocolID); err == nil {
				for _, doc := range p.Documents {
					miss := doc.Missing(d)
					if len(miss) == 0 {
						continue
					}
					dm := DocMissing{Title: doc.Title}
					for _, m := range miss {
						dm.Fields = append(dm.Fields, protocol.Label(m))
					}
					f.Missing = append(f.Missing, dm)
				}
			}
		}
	}
	return f, nil
}

// lenientDossier decodes dossier.yaml ignoring unknown keys.
func lenientDossier(data []byte) (*protocol.Dossier, *ast.File, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, err
	}
	var d protocol.Dossier
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, nil, err
	}
	return &d, file, nil
}

// FormSave is what the user sends: the hash and values the form was opened
// with, and the values now in the form.
type FormSave struct {
	BaseHash string
	Base     map[string]string
	Values   map[string]string
}

// SaveResult tells what a save did.
type SaveResult struct {
	// Saved is false when nothing was written: Conflict (the file changed
	// on disk since the form was opened) or Invalid (a value the form cannot
	// write, see the field problems).
	Saved    bool
	Conflict bool
	Changed  int // fields written
	// Form is the form to show now: after a save, the file as written with
	// the problems of check; on a conflict, the user's values with the disk's
	// beside them.
	Form *Form
}

// SaveForm writes the changed fields into dossier.yaml under the case lock,
// keeping every comment, every key the form does not show and the layout of
// the rest of the file. If the file changed since the form was opened
// (another command, an editor), nothing is written: the result lists what
// changed so that the user chooses.
func (w *Workspace) SaveForm(ctx context.Context, rel string, in FormSave) (*SaveResult, error) {
	cs, err := w.Open(rel)
	if err != nil {
		return nil, err
	}
	tx, err := w.begin(ctx, cs)
	if err != nil {
		return nil, err
	}
	defer tx.Close()
	path := cs.Path(protocol.DossierFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pid := cs.ProtocolID(tx.Events())
	disk, err := w.formOf(cs, data, pid)
	if err != nil {
		return nil, err
	}
	if disk.Hash != in.BaseHash {
		return &SaveResult{Conflict: true, Form: conflictForm(disk, in)}, nil
	}
	doc, perr := locate(data)
	if perr != nil {
		return nil, perr
	}
	out := data
	changed := 0
	var bad bool
	result := &Form{}
	*result = *disk
	for _, s := range disk.Sections {
		for _, fl := range s.Fields {
			nv, ok := in.Values[fl.Path]
			if !ok {
				continue
			}
			nv = normalise(fl.Type, nv)
			if nv == fl.Value {
				continue
			}
			enc, err := encodeValue(fl.Type, nv)
			if err != nil {
				if f := result.Field(fl.Path); f != nil {
					f.Value = nv
					f.Problems = append(f.Problems, err.Error())
				}
				bad = true
				continue
			}
			out, err = doc.set(out, fl.Path, enc)
			if err != nil {
				if f := result.Field(fl.Path); f != nil {
					f.Value = nv
					f.Problems = append(f.Problems, err.Error())
				}
				bad = true
				continue
			}
			doc, err = locate(out)
			if err != nil {
				return nil, fmt.Errorf("modification de %s impossible sans casser le fichier : %w", fl.Path, err)
			}
			changed++
		}
	}
	if bad {
		return &SaveResult{Form: result}, nil
	}
	if changed > 0 {
		if err := protocol.ReplaceFile(path, out); err != nil {
			return nil, err
		}
	}
	after, err := w.formOf(cs, out, pid)
	if err != nil {
		return nil, err
	}
	return &SaveResult{Saved: true, Changed: changed, Form: after}, nil
}

// conflictForm is the disk's form with the user's values where the user
// changed them; fields changed on both sides to different values are marked.
func conflictForm(disk *Form, in FormSave) *Form {
	f := &Form{}
	*f = *disk
	f.Sections = make([]FormSection, len(disk.Sections))
	for i, s := range disk.Sections {
		f.Sections[i] = s
		f.Sections[i].Fields = append([]FormField(nil), s.Fields...)
		for j := range f.Sections[i].Fields {
			fl := &f.Sections[i].Fields[j]
			base := normalise(fl.Type, in.Base[fl.Path])
			mine, ok := in.Values[fl.Path]
			mine = normalise(fl.Type, mine)
			fl.Disk = fl.Value
			fl.Changed = fl.Disk != base
			if ok && mine != base {
				// the user changed it
				if fl.Changed && mine != fl.Disk {
					fl.Conflict = true
				}
				fl.Value = mine
			}
		}
	}
	return f
}

func normalise(typ, v string) string {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	switch typ {
	case "list":
		var items []string
		for _, l := range strings.Split(v, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				items = append(items, l)
			}
		}
		return strings.Join(items, "\n")
	case "bool":
		if v == "true" || v == "on" || v == "oui" {
			return "true"
		}
		return "false"
	case "int":
		v = strings.TrimSpace(v)
		if v == "" {
			return "0"
		}
		return v
	case "longtext":
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(strings.ReplaceAll(v, "\n", " "))
}

// encodeValue writes a value as YAML: strings double-quoted (JSON escapes
// are valid YAML), lists in flow style, numbers and booleans plain.
func encodeValue(typ, v string) (string, error) {
	switch typ {
	case "int":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return "", fmt.Errorf("« %s » : un nombre entier positif est attendu", v)
		}
		return strconv.Itoa(n), nil
	case "bool":
		return v, nil
	case "list":
		items := []string{}
		if v != "" {
			items = strings.Split(v, "\n")
		}
		var parts []string
		for _, it := range items {
			parts = append(parts, quote(it))
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	return quote(v), nil
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// yamlDoc locates the fields of a dossier.yaml in its bytes.
type yamlDoc struct {
	lines []string // without their "\n"
	nodes map[string]*ast.MappingValueNode
	root  *ast.MappingNode
}

func locate(data []byte) (*yamlDoc, error) {
	file, err := parser.ParseBytes(data, parser.ParseComments)
	if err != nil {
		_, _, derr := protocol.ParseDossier(protocol.DossierFile, data)
		if derr == nil {
			derr = &protocol.DossierError{Path: protocol.DossierFile, Problem: protocol.Problem{Message: err.Error()}}
		}
		return nil, derr
	}
	d := &yamlDoc{lines: strings.Split(string(data), "\n"), nodes: map[string]*ast.MappingValueNode{}}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return d, nil
	}
	var walk func(n ast.Node, prefix string)
	walk = func(n ast.Node, prefix string) {
		switch m := n.(type) {
		case *ast.MappingNode:
			for _, mv := range m.Values {
				walk(mv, prefix)
			}
		case *ast.MappingValueNode:
			key := m.Key.GetToken().Value
			p := key
			if prefix != "" {
				p = prefix + "." + key
			}
			d.nodes[p] = m
			walk(m.Value, p)
		}
	}
	body := file.Docs[0].Body
	if m, ok := body.(*ast.MappingNode); ok {
		d.root = m
	}
	walk(body, "")
	return d, nil
}

func (d *yamlDoc) value(path, typ string) string {
	mv := d.nodes[path]
	if mv == nil {
		return normalise(typ, "")
	}
	var v any
	if err := yaml.NodeToValue(mv.Value, &v); err != nil {
		return normalise(typ, "")
	}
	switch x := v.(type) {
	case nil:
		return normalise(typ, "")
	case []any:
		var items []string
		for _, it := range x {
			items = append(items, fmt.Sprint(it))
		}
		return normalise(typ, strings.Join(items, "\n"))
	case bool:
		return strconv.FormatBool(x)
	}
	return normalise(typ, fmt.Sprint(v))
}

// runeCol converts a 1-based rune column of line into a byte index.
func runeCol(line string, col int) int {
	n := 0
	for i := range line {
		n++
		if n == col {
			return i
		}
	}
	return len(line)
}

// set returns data with the value of path replaced by enc (or the key
// inserted when absent). Everything else is kept byte for byte.
func (d *yamlDoc) set(data []byte, path, enc string) ([]byte, error) {
	mv := d.nodes[path]
	if mv == nil {
		return d.insert(path, enc)
	}
	kline := mv.Key.GetToken().Position.Line - 1
	line := d.lines[kline]
	kcol := runeCol(line, mv.Key.GetToken().Position.Column)
	colon := strings.IndexByte(line[kcol:], ':')
	if colon < 0 {
		return nil, errUneditable(path)
	}
	after := kcol + colon + 1 // byte index just after the colon
	rest := line[after:]
	var end int // byte index in line where the value ends
	lastLine := kline
	switch v := mv.Value.(type) {
	case *ast.NullNode:
		if mv.Value.GetToken().Position.Line-1 != kline {
			return nil, errUneditable(path)
		}
		end = after
		_, _ = v, rest
	case *ast.SequenceNode:
		if v.IsFlowStyle {
			if v.GetToken().Position.Line-1 != kline || v.End == nil || v.End.Position.Line-1 != kline {
				return nil, errUneditable(path)
			}
			end = runeCol(line, v.End.Position.Column) + 1
		} else {
			// block sequence of one-line scalars: the items' lines go.
			end = after + commentStart(rest)
			for _, it := range v.Values {
				if _, ok := it.(*ast.StringNode); !ok {
					if _, ok := it.(*ast.IntegerNode); !ok {
						return nil, errUneditable(path)
					}
				}
				if l := it.GetToken().Position.Line - 1; l > lastLine {
					lastLine = l
				}
			}
		}
	case *ast.LiteralNode:
		// block scalar: its lines (more indented than the key) go.
		end = after + commentStart(rest)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		for l := kline + 1; l < len(d.lines); l++ {
			s := d.lines[l]
			if strings.TrimSpace(s) != "" && len(s)-len(strings.TrimLeft(s, " ")) <= indent {
				break
			}
			if strings.TrimSpace(s) != "" {
				lastLine = l
			}
		}
	case *ast.StringNode, *ast.IntegerNode, *ast.BoolNode, *ast.FloatNode:
		tk := mv.Value.GetToken()
		if tk.Position.Line-1 != kline {
			return nil, errUneditable(path)
		}
		start := runeCol(line, tk.Position.Column)
		n, ok := scalarEnd(line[start:])
		if !ok {
			return nil, errUneditable(path)
		}
		end = start + n
	default:
		return nil, errUneditable(path)
	}
	// keep what follows the value on the key line (spaces and comment)
	valStart := after
	for valStart < end && line[valStart] == ' ' {
		valStart++
	}
	tail := line[end:]
	if strings.TrimSpace(tail) != "" && !strings.HasPrefix(strings.TrimSpace(tail), "#") {
		return nil, errUneditable(path)
	}
	newLine := line[:after] + " " + enc + tail
	var out []string
	out = append(out, d.lines[:kline]...)
	out = append(out, newLine)
	out = append(out, d.lines[lastLine+1:]...)
	return []byte(strings.Join(out, "\n")), nil
}

// commentStart returns the byte index of a trailing comment in s (or len(s)
// trimmed of spaces).
func commentStart(s string) int {
	if i := strings.Index(s, "#"); i >= 0 {
		return len(strings.TrimRight(s[:i], " "))
	}
	return len(strings.TrimRight(s, " "))
}

// scalarEnd returns the length of the scalar at the start of s.
func scalarEnd(s string) (int, bool) {
	if s == "" {
		return 0, true
	}
	switch s[0] {
	case '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1, true
			}
		}
		return 0, false
	case '\'':
		for i := 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
					continue
				}
				return i + 1, true
			}
		}
		return 0, false
	}
	if i := strings.Index(s, " #"); i >= 0 {
		return len(strings.TrimRight(s[:i], " ")), true
	}
	return len(strings.TrimRight(s, " ")), true
}

func errUneditable(path string) error {
	return fmt.Errorf("le champ %s est écrit d'une façon que le formulaire ne sait pas modifier sans risque (sur plusieurs lignes ?) : modifiez-le dans dossier.yaml", path)
}

// insert adds a missing key under its parent (created when missing too).
func (d *yamlDoc) insert(path, enc string) ([]byte, error) {
	parts := strings.Split(path, ".")
	// find the deepest existing parent
	i := len(parts) - 1
	for ; i > 0; i-- {
		if d.nodes[strings.Join(parts[:i], ".")] != nil {
			break
		}
	}
	var after, indent int
	if i == 0 {
		after = len(d.lines)
		for after > 0 && strings.TrimSpace(d.lines[after-1]) == "" {
			after--
		}
		indent = 0
	} else {
		parent := d.nodes[strings.Join(parts[:i], ".")]
		m, ok := parent.Value.(*ast.MappingNode)
		if ok && m.IsFlowStyle {
			return nil, errUneditable(path)
		}
		if _, isNull := parent.Value.(*ast.NullNode); !ok && !isNull {
			return nil, errUneditable(path)
		}
		after = parent.Key.GetToken().Position.Line // insert after the parent's line
		pindent := parent.Key.GetToken().Position.Column - 1
		indent = pindent + 2
		if ok && len(m.Values) > 0 {
			indent = m.Values[0].Key.GetToken().Position.Column - 1
		}
	}
	var add []string
	for j := i; j < len(parts); j++ {
		pad := strings.Repeat(" ", indent+2*(j-i))
		if j == len(parts)-1 {
			add = append(add, pad+parts[j]+": "+enc)
		} else {
			add = append(add, pad+parts[j]+":")
		}
	}
	var out []string
	out = append(out, d.lines[:after]...)
	out = append(out, add...)
	out = append(out, d.lines[after:]...)
	return []byte(strings.Join(out, "\n")), nil
}

var _ = sort.Strings
