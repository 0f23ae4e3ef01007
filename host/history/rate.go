package history

import "time"

// maxBuckets bounds a Rate's length: a longer history gets wider buckets.
const maxBuckets = 600

// Rate is how many operations completed in each interval of the history,
// by outcome: what the reports chart as operations per second.
type Rate struct {
	// Bucket is the width of each interval, at least one second; interval i
	// covers [i*Bucket, (i+1)*Bucket) since the history began.
	Bucket time.Duration `json:"bucket"`
	OK     []int         `json:"ok"`
	Fail   []int         `json:"fail"`
	Info   []int         `json:"info"`
}

// Rate counts f's completions per interval. Intervals are one second wide,
// or wider (whole seconds) so that there are at most maxBuckets of them.
// Operations never completed are not counted.
func (f File) Rate() Rate {
	var last time.Duration
	for _, e := range f.Events {
		last = max(last, e.Time)
	}
	bucket := time.Second
	if n := last/time.Second + 1; n > maxBuckets {
		bucket = time.Second * ((n + maxBuckets - 1) / maxBuckets)
	}
	n := int(last/bucket) + 1
	r := Rate{Bucket: bucket, OK: make([]int, n), Fail: make([]int, n), Info: make([]int, n)}
	for _, e := range f.Events {
		i := int(e.Time / bucket)
		switch e.Type {
		case OK:
			r.OK[i]++
		case Fail:
			r.Fail[i]++
		case Info:
			r.Info[i]++
		}
	}
	return r
}
