package layout

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cited matches a citation of the pitfall list, such as "Pitfall 6:" or
// "(pitfall 13)".
var cited = regexp.MustCompile(`\b[Pp]itfalls? (\d+)`)

// listed matches an item of the numbered list under "## Known pitfalls".
var listed = regexp.MustCompile(`(?m)^(\d+)\. `)

// TestEveryCitedPitfallIsListed wants every "Pitfall N" that a Go file of
// the repository cites to be item N of the list in docs/security.md, so a
// reader can look it up.
func TestEveryCitedPitfallIsListed(t *testing.T) {
	doc, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	_, list, ok := strings.Cut(string(doc), "\n## Known pitfalls\n")
	if !ok {
		t.Fatal(`docs/security.md has no "## Known pitfalls" section`)
	}
	list, _, _ = strings.Cut(list, "\n## ")
	items := map[int]bool{}
	for i, m := range listed.FindAllStringSubmatch(list, -1) {
		n, _ := strconv.Atoi(m[1])
		if n != i+1 {
			t.Fatalf("docs/security.md's pitfall %d follows %d: the list must count 1, 2, 3, ...", n, i)
		}
		items[n] = true
	}
	citations := 0
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cited.FindAllStringSubmatch(string(src), -1) {
			citations++
			if n, _ := strconv.Atoi(m[1]); !items[n] {
				t.Errorf("%s cites %s, which docs/security.md's list of %d pitfalls does not hold", strings.TrimPrefix(path, "../../"), m[0], len(items))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if citations == 0 {
		t.Error("no Go file cites a pitfall: is the pattern still right?")
	}
}
