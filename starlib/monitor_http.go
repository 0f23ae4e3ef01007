package starlib

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.starlark.net/starlark"
)

// httpDomain is account.wait_for_http_service.
func httpDomain() Domain {
	return Domain{Name: "http", Page: "writing-tests.md", Builtins: []Builtin{
		onAccount("wait_for_http_service", "account.wait_for_http_service(port, path = \"/\", timeout_sec = 20)", "Waits until an HTTP server on the node answers 200 to a GET of path on port, from this machine.", accountWaitForHTTP),
	}}
}

// accountWaitForHTTP is account.wait_for_http_service(port, path = "/",
// timeout_sec = 20): wait until http://<externally_routable_ip>:<port><path>
// answers 200 to a GET from the driver, as the Python ducktape does.
func accountWaitForHTTP(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var port int
	path := "/"
	var timeoutV starlark.Value = starlark.MakeInt(20)
	if err := starlark.UnpackArgs(fn, args, kwargs, "port", &port, "path?", &path, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	timeout, backoff, err := pollTimes(fn, timeoutV, nil, 250*time.Millisecond)
	if err != nil {
		return nil, err
	}
	url := fmt.Sprintf("http://%s:%d%s", a.node.Account.Info().ExternallyRoutableIP, port, path)
	errMsg := starlark.String(fmt.Sprintf("%s: %s did not answer 200 within %s", fn, url, timeout))
	return poll(thread, fn, timeout, backoff, false, errMsg, func() (starlark.Value, error) {
		ok, _ := Blocking(thread, func(ctx context.Context) (bool, error) { return httpOK(ctx, url, backoff+time.Second), nil })
		return starlark.Bool(ok), nil
	})
}

// httpOK reports whether a GET of url answers 200 within timeout.
func httpOK(ctx context.Context, url string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
