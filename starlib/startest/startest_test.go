package startest

import "testing"

func TestChunkExpectation(t *testing.T) {
	if re := ChunkExpectation("x = 1\n"); re != nil {
		t.Errorf("a chunk without expectation: %v, want nil", re)
	}
	re := ChunkExpectation("fail(\"a\\nb\") ### \"fail: a.b\"\n")
	if re == nil || !re.MatchString("fail: a\nb") {
		t.Errorf("expectation %v does not match across the newline", re)
	}
}

func TestExpectations(t *testing.T) {
	src := "### \"boom\"\ndef test_fails(ctx):\n    fail(\"boom\")\n\ndef test_passes(ctx):\n    pass\n### \"not before a def\"\n"
	got := Expectations(src)
	if len(got) != 1 || got["test_fails"] == nil || !got["test_fails"].MatchString("fail: boom") {
		t.Errorf("Expectations = %v, want test_fails -> boom only", got)
	}
}
