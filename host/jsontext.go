package host

import (
	"bytes"
	"encoding/json"
)

// marshalText encodes v as JSON (map keys sorted) without the HTML escapes
// of json.Marshal: "&", "<" and ">" stay themselves, so ids and summaries
// read as the user typed them. indent "" gives compact JSON. No trailing
// newline. Never use it for JSON embedded in HTML.
func marshalText(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
