package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// configKeys returns the settings the program reads: the string constants
// named Key... of the packages in dirs, a constant that names another
// (project.KeyGoogleClientID) resolved to its value.
func configKeys(t *testing.T, dirs ...string) []string {
	t.Helper()
	values := map[string]string{}
	refs := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				g, ok := decl.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, spec := range g.Specs {
					v := spec.(*ast.ValueSpec)
					for i, id := range v.Names {
						if !strings.HasPrefix(id.Name, "Key") || i >= len(v.Values) {
							continue
						}
						switch e := v.Values[i].(type) {
						case *ast.BasicLit:
							if s, err := strconv.Unquote(e.Value); err == nil {
								values[id.Name] = s
							}
						case *ast.SelectorExpr:
							refs[id.Name] = e.Sel.Name
						}
					}
				}
			}
		}
	}
	var keys []string
	for name, value := range values {
		if _, ok := refs[name]; !ok {
			keys = append(keys, value)
		}
	}
	for name, target := range refs {
		value, ok := values[target]
		if !ok {
			t.Fatalf("%s names %s, which no package read defines", name, target)
		}
		if !slices.Contains(keys, value) {
			keys = append(keys, value)
		}
	}
	slices.Sort(keys)
	return keys
}

// The README's configuration table lists every setting the program reads,
// and nothing it does not: a new key must be documented where users look.
func TestTheREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	// The first cell of each row names one key or several in backquotes.
	var documented []string
	cell := regexp.MustCompile(`^\| ([^|]+) \|`)
	name := regexp.MustCompile("`([A-Za-z:]+)`")
	for _, line := range strings.Split(section, "\n") {
		m := cell.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, n := range name.FindAllStringSubmatch(m[1], -1) {
			documented = append(documented, n[1])
		}
	}
	keys := configKeys(t, "config", "project", filepath.Join("..", "functions", "stackconfig"))
	for _, k := range keys {
		if !slices.Contains(documented, k) {
			t.Errorf("the setting %s is not in the README's configuration table", k)
		}
	}
	for _, d := range documented {
		if !slices.Contains(keys, d) && !strings.HasPrefix(d, "aws:") {
			t.Errorf("the README's configuration table lists %s, which the program does not read", d)
		}
	}
}
