package pgtest

import (
	"database/sql"
	"testing"
)

// TestStart starts a server, creates a database and queries it with the
// password; a wrong password is refused.
func TestStart(t *testing.T) {
	s := Start(t)
	db, err := sql.Open("pgx", s.CreateDatabase(t, "pgtest_db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version string
	if err := db.QueryRow("SHOW server_version").Scan(&version); err != nil || version[:3] != "15." {
		t.Errorf("server_version %q, %v; want 15.x", version, err)
	}
	wrong := *s
	wrong.Password = "not-the-password"
	if err := wrong.ping(); err == nil {
		t.Error("a wrong password was accepted")
	}
}
