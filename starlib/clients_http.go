package starlib

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services/clients"
)

// httpBuiltins declare the http module and its responses.
func httpBuiltins() []Builtin {
	return []Builtin{
		module("http", "An HTTP client (net/http): `load(\"@ducktape//clients\", \"http\")`."),
		function("http.request", "http.request(method, url, body = None, headers = {}, timeout_sec = 5)",
			"Sends a request and returns the response, whatever its status (redirects are not followed). A URL whose host is a node's externally routable IP, hostname or name goes by that node's route. body: None, a string, bytes, or a dict or list (sent as JSON, with Content-Type application/json unless headers give one). timeout_sec bounds the whole exchange. Connections are kept alive between requests of a test.",
			httpRequest),
		attribute("http.response.status", "", "The status code (200, 404...)."),
		attribute("http.response.headers", "", "The headers: a dict with lower-case names; repeated headers joined with \", \"."),
		attribute("http.response.body", "", "The body as text (an error if it is not UTF-8: use .content)."),
		attribute("http.response.content", "", "The body as bytes."),
		attribute("http.response.json", "http.response.json()", "The body decoded as JSON."),
	}
}

// httpRequest is http.request(method, url, body = None, headers = {}, timeout_sec = 5).
func httpRequest(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var req clients.HTTPRequest
	var body, timeoutV starlark.Value = starlark.None, nil
	headers := &starlark.Dict{}
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "method", &req.Method, "url", &req.URL, "body?", &body,
		"headers?", &headers, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	req.Method = strings.ToUpper(req.Method)
	req.Headers = map[string]string{}
	for _, item := range headers.Items() {
		k, ok1 := starlark.AsString(item[0])
		v, ok2 := starlark.AsString(item[1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: headers must map strings to strings, not %s to %s", b.Name(), item[0].Type(), item[1].Type())
		}
		req.Headers[k] = v
	}
	switch body := body.(type) {
	case starlark.NoneType:
	case starlark.String:
		req.Body = []byte(body)
	case starlark.Bytes:
		req.Body = []byte(body)
	case *starlark.Dict, *starlark.List, starlark.Tuple:
		data, err := ToJSON(body)
		if err != nil {
			return nil, fmt.Errorf("%s: body: %w", b.Name(), err)
		}
		req.Body = data
		if !hasHeader(req.Headers, "Content-Type") {
			req.Headers["Content-Type"] = "application/json"
		}
	default:
		return nil, fmt.Errorf("%s: body must be None, a string, bytes, a dict or a list, not %s", b.Name(), body.Type())
	}
	var err error
	if req.Timeout, err = clientTimeout(b.Name(), timeoutV, defaultClientTimeout); err != nil {
		return nil, err
	}
	reg, err := clientRegistry(thread, b.Name())
	if err != nil {
		return nil, err
	}
	resp, err := Blocking(thread, func(ctx context.Context) (*clients.HTTPResponse, error) { return reg.Request(ctx, req) })
	if err != nil {
		return nil, err
	}
	return &httpResponseValue{clientValue{"http.response"}, resp}, nil
}

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// httpResponseValue is a response read in full. Immutable.
type httpResponseValue struct {
	clientValue
	r *clients.HTTPResponse
}

func (v *httpResponseValue) String() string {
	return fmt.Sprintf("<http.response %d, %d bytes, to %s>", v.r.Status, len(v.r.Body), v.r.Call)
}

func (v *httpResponseValue) AttrNames() []string {
	return []string{"body", "content", "headers", "json", "status"}
}

func (v *httpResponseValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "status":
		return starlark.MakeInt(v.r.Status), nil
	case "headers":
		d := starlark.NewDict(len(v.r.Headers))
		for _, k := range sortedKeys(v.r.Headers) {
			d.SetKey(starlark.String(k), starlark.String(v.r.Headers[k]))
		}
		return d, nil
	case "body":
		s, err := v.text()
		if err != nil {
			return nil, err
		}
		return starlark.String(s), nil
	case "content":
		return starlark.Bytes(v.r.Body), nil
	case "json":
		return starlark.NewBuiltin("http.response.json", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			s, err := v.text()
			if err != nil {
				return nil, err
			}
			out, err := FromJSON([]byte(s))
			if err != nil {
				return nil, fmt.Errorf("%s: the body of the %d response is not JSON: %s: %q", v.r.Call, v.r.Status, catchMessage(err), cutText(s, 200))
			}
			return out, nil
		}), nil
	}
	return nil, nil
}

// text is the body as UTF-8 text.
func (v *httpResponseValue) text() (string, error) {
	if utf8.Valid(v.r.Body) {
		return string(v.r.Body), nil
	}
	return "", fmt.Errorf("%s: the body of the %d response is not UTF-8 text (%d bytes): use .content for bytes", v.r.Call, v.r.Status, len(v.r.Body))
}

func cutText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
