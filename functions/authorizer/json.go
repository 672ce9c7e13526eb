package authorizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// members reads data, which must be one JSON object and nothing else, in
// one pass over encoding/json's tokens, and calls member with each member's
// name, unescaped as encoding/json does, in order, and the decoder at the
// member's value, which member must read (with skipValue if it has no use
// for it). It stops at the first error, member's or the JSON's.
func members(data []byte, member func(name string, dec *json.Decoder) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		// The decoder answers an object's names as strings, or an error.
		if err := member(t.(string), dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the object")
	}
	return nil
}

// skipValue reads the next value, whatever it holds.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// stringValue reads a string as encoding/json decodes one: null is the
// empty string, any other value an error.
func stringValue(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	switch v := t.(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("not a string: %v", t)
}
