package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxHTTPBody bounds the body of a response that Request reads.
const MaxHTTPBody = 64 << 20

// HTTPRequest is one request.
type HTTPRequest struct {
	Method  string
	URL     string
	Body    []byte // nil: none
	Headers map[string]string
	Timeout time.Duration // the whole exchange, body included
}

// HTTPResponse is a response read in full.
type HTTPResponse struct {
	// Call names the request for errors about the response: "http local1
	// (127.0.0.2:8080): GET http://...".
	Call    string
	Status  int
	Headers map[string]string // lower-case names; repeated headers joined with ", "
	Body    []byte
}

// Request sends req with the registry's transport and reads the
// response. A URL whose host is one of the test's nodes (its externally
// routable IP, hostname or name) is dialled by that node's route; other
// hosts directly. Only http:// and https:// URLs are accepted; redirects
// are not followed (the response is the redirect). Any status is a
// response: failing on a 5xx is the test's decision. A failure to connect
// (or a bad request) is definite; a timeout or a connection lost after
// the request was sent is not.
func (r *Registry) Request(ctx context.Context, req HTTPRequest) (*HTTPResponse, error) {
	c := call{client: "http", op: req.Method + " " + req.URL}
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, c.definiteError(err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, c.definiteError(fmt.Errorf("the URL's scheme is %q: want http or https", u.Scheme))
	}
	if u.Host == "" {
		return nil, c.definiteError(errors.New("the URL has no host"))
	}
	c.ep = r.endpointOf(u)
	c.op = req.Method + " " + u.Redacted()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	callCtx, cancel := callContext(ctx, req.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(callCtx, req.Method, req.URL, body)
	if err != nil {
		return nil, c.definiteError(err)
	}
	for k, v := range req.Headers {
		hreq.Header.Set(k, v)
	}
	transport, err := r.transport()
	if err != nil {
		return nil, c.definiteError(err)
	}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, c.fail(explain(ctx, callCtx, unwrapURLError(err)), notSent(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPBody+1))
	if err != nil {
		return nil, c.fail(explain(ctx, callCtx, fmt.Errorf("reading the body of the %d response: %w", resp.StatusCode, err)), false)
	}
	if len(data) > MaxHTTPBody {
		return nil, c.fail(fmt.Errorf("the %d response's body is larger than %d MiB", resp.StatusCode, MaxHTTPBody>>20), false)
	}
	headers := map[string]string{}
	for k, vs := range resp.Header {
		headers[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	return &HTTPResponse{Call: c.String(), Status: resp.StatusCode, Headers: headers, Body: data}, nil
}

// unwrapURLError drops net/http's *url.Error, which repeats the method
// and URL the call's error names already.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// endpointOf is where u goes: when its host names a node (its address,
// hostname or name), the node's externally routable IP by its route,
// since the driver may not resolve the names the nodes know each other
// by; else u's host, directly.
func (r *Registry) endpointOf(u *url.URL) Endpoint {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, n := range r.nodes {
		info := n.Account.Info()
		if h := u.Hostname(); h == info.ExternallyRoutableIP || h == info.Hostname || h == n.Name {
			return Endpoint{Node: n.Name, Address: net.JoinHostPort(info.ExternallyRoutableIP, port), dial: n.Account.Dial}
		}
	}
	return Endpoint{Address: net.JoinHostPort(u.Hostname(), port)}
}

// transport returns the registry's HTTP transport, made on first use: its
// connections are kept alive between requests and closed when the test
// ends. Each connection is dialled by the route of the node the address
// names.
func (r *Registry) transport() (*http.Transport, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errEnded
	}
	if r.http == nil {
		r.http = &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, port, err := net.SplitHostPort(addr)
				if err != nil {
					return nil, err
				}
				ep := r.endpointOf(&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)})
				return ep.Dial(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		}
	}
	return r.http, nil
}
