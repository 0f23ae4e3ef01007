package host

// Version is ducktape's version, shown by `ducktape version` and in reports.
const Version = "0.1.0"
