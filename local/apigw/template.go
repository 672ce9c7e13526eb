package apigw

import (
	"strings"
	"unicode/utf16"
)

// requestBody returns what gateway.RequestTemplate renders for name in API
// Gateway: a Template route's event, always valid JSON.
func requestBody(name string) []byte {
	escaped := strings.ReplaceAll(escapeJavaScript(name), `\'`, `'`)
	return []byte(`{"name": "` + escaped + `"}`)
}

// escapeJavaScript reproduces API Gateway's $util.escapeJavaScript (Apache
// Commons Lang's StringEscapeUtils.escapeJavaScript): ', ", \ and / are
// escaped with a backslash, control characters as \b, \t, \n, \f, \r or
// \u00XX, and every character beyond ASCII as \uXXXX UTF-16 code units with
// upper-case hex digits.
func escapeJavaScript(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	for _, u := range utf16.Encode([]rune(s)) {
		switch {
		case u > 0x7f:
			b.WriteString(`\u`)
			writeHex4(&b, u)
		case u < 0x20:
			switch u {
			case '\b':
				b.WriteString(`\b`)
			case '\t':
				b.WriteString(`\t`)
			case '\n':
				b.WriteString(`\n`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				b.WriteString(`\u`)
				writeHex4(&b, u)
			}
		case u == '\'' || u == '"' || u == '\\' || u == '/':
			b.WriteByte('\\')
			b.WriteByte(byte(u))
		default:
			b.WriteByte(byte(u))
		}
	}
	return b.String()
}

func writeHex4(b *strings.Builder, u uint16) {
	const digits = "0123456789ABCDEF"
	b.WriteByte(digits[u>>12&0xf])
	b.WriteByte(digits[u>>8&0xf])
	b.WriteByte(digits[u>>4&0xf])
	b.WriteByte(digits[u&0xf])
}
