package stacktest

import (
	"encoding/json"
	"testing"
)

func TestDiffNamesAddedRemovedAndChanged(t *testing.T) {
	encode := func(s []Snapshot) []byte {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fn := func(name, handler string) Snapshot {
		return Snapshot{Type: "aws:lambda/function:Function", Name: name, Inputs: map[string]any{"handler": handler}}
	}
	want := encode([]Snapshot{fn("hello", "bootstrap"), fn("me", "bootstrap")})
	got := encode([]Snapshot{fn("hello", "main"), fn("orders", "bootstrap")})
	const expected = `~ aws:lambda/function:Function hello
    inputs.handler: "bootstrap" -> "main"
+ aws:lambda/function:Function orders
- aws:lambda/function:Function me`
	if diff := Diff(want, got); diff != expected {
		t.Errorf("Diff =\n%s\nwant\n%s", diff, expected)
	}
}
