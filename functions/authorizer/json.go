package authorizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// members calls member with the name and raw value of each member of the
// JSON object data, in order, stopping at its first error. Names are
// unescaped as encoding/json does; values are left raw for the caller to
// decode. It is written for tokens' headers and payloads: one pass, no
// allocation beyond escaped names, every malformed input an error.
func members(data []byte, member func(name string, value []byte) error) error {
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return errors.New("not a JSON object")
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return trailing(data, i+1)
	}
	for {
		end, err := stringEnd(data, i)
		if err != nil {
			return fmt.Errorf("member name: %w", err)
		}
		name, err := stringValue(data[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i == len(data) || data[i] != ':' {
			return errors.New("missing colon after a member name")
		}
		i = skipSpace(data, i+1)
		end, err = valueEnd(data, i)
		if err != nil {
			return fmt.Errorf("member %q: %w", name, err)
		}
		if err := member(name, data[i:end]); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i == len(data) {
			return errors.New("unterminated object")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return trailing(data, i+1)
		default:
			return fmt.Errorf("unexpected %q after a member", data[i])
		}
	}
}

func trailing(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return errors.New("data after the object")
	}
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i.
func stringEnd(data []byte, i int) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return 0, errors.New("not a string")
	}
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errors.New("unterminated string")
}

// valueEnd returns the index just past the JSON value starting at i. Nested
// arrays and objects are skipped by their brackets; their insides are
// checked no further, as nothing in them is read.
func valueEnd(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errors.New("missing value")
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				end, err := stringEnd(data, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated value")
	}
	start := i
	for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ']' &&
		data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r' {
		i++
	}
	if !json.Valid(data[start:i]) {
		return 0, fmt.Errorf("invalid value %.20q", data[start:i])
	}
	return i, nil
}

// stringValue decodes a raw JSON string as encoding/json does (null is
// the empty string); any other value is an error.
func stringValue(raw []byte) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", fmt.Errorf("not a string: %.20q", raw)
	}
	if plain(raw[1 : len(raw)-1]) {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

// plain reports whether s holds no escape, control character or invalid
// UTF-8: its bytes are then the string's value.
func plain(s []byte) bool {
	for _, b := range s {
		if b == '\\' || b == '"' || b < 0x20 || b >= utf8.RuneSelf {
			return utf8.Valid(s) && !containsSpecial(s)
		}
	}
	return true
}

func containsSpecial(s []byte) bool {
	for _, b := range s {
		if b == '\\' || b == '"' || b < 0x20 {
			return true
		}
	}
	return false
}
