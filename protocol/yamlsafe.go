package protocol

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxDossierFile bounds dossier.yaml (a real one is a few KB; a 50 MB one
// took seconds and a gigabyte to decode).
const MaxDossierFile = 1 << 20

// noAliases refuses YAML anchors (&a) and aliases (*a): a few of them nested
// expand to billions of values (an "alias bomb" of 2 KB exhausted 10 GB of
// memory). dossier.yaml never needs them.
type noAliases struct{ found ast.Node }

func (v *noAliases) Visit(n ast.Node) ast.Visitor {
	if v.found != nil {
		return nil
	}
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode:
		v.found = n
		return nil
	}
	return v
}

// checkNoAliases returns the problem of the first anchor or alias of file.
func checkNoAliases(file *ast.File) *Problem {
	v := &noAliases{}
	for _, doc := range file.Docs {
		if doc.Body != nil {
			ast.Walk(v, doc.Body)
		}
	}
	if v.found == nil {
		return nil
	}
	p := &Problem{Message: "ancre ou alias YAML (& ou *) refusé : écrivez chaque valeur en entier"}
	if tk := v.found.GetToken(); tk != nil && tk.Position != nil {
		p.Line, p.Column = tk.Position.Line, tk.Position.Column
	}
	return p
}

// ParseSmallYAML decodes a small configuration file strictly: unknown keys,
// anchors and aliases refused.
func ParseSmallYAML(path string, data []byte, v any) error {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return &DossierError{Path: path, Problem: yamlProblem(err)}
	}
	if p := checkNoAliases(file); p != nil {
		return &DossierError{Path: path, Problem: *p}
	}
	if err := yaml.UnmarshalWithOptions(data, v, yaml.DisallowUnknownField()); err != nil {
		return &DossierError{Path: path, Problem: yamlProblem(err)}
	}
	return nil
}

// readDossierFile reads dossier.yaml: a regular file, not a link, at most
// MaxDossierFile bytes; French errors.
func readDossierFile(path string) ([]byte, error) {
	b, err := ReadCaseFile(path, filepath.Base(path), MaxDossierFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s absent : le dossier n'a pas de fiche (créez-la avec anef-dossier init, ou recopiez-la depuis une sauvegarde)", path)
	case errors.Is(err, ErrTooLarge):
		return nil, fmt.Errorf("%w ; une fiche dossier.yaml fait quelques Ko", err)
	case err != nil:
		return nil, fmt.Errorf("lecture de %s : %w", path, err)
	}
	return b, nil
}
