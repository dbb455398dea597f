package web

import (
	"strconv"
	"sync"
	"time"
)

// jobs holds the long operations started from a page (a capture series):
// the page polls their progress.
type jobs struct {
	mu   sync.Mutex
	next int
	m    map[string]*job
}

type jobStep struct {
	Text string `json:"text"`
	Fail bool   `json:"fail,omitempty"`
}

type job struct {
	mu      sync.Mutex
	Case    string
	What    string
	cancel  func()
	Started time.Time
	Steps   []jobStep
	Done    bool
	Failed  bool
	Summary string
}

func newJobs() *jobs { return &jobs{m: map[string]*job{}} }

func (js *jobs) start(rel string) (string, *job) {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.next++
	id := strconv.Itoa(js.next)
	j := &job{Case: rel, Started: time.Now()}
	js.m[id] = j
	return id, j
}

func (js *jobs) get(id string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.m[id]
}

func (j *job) add(text string, fail bool) {
	j.mu.Lock()
	j.Steps = append(j.Steps, jobStep{Text: text, Fail: fail})
	j.mu.Unlock()
}

func (j *job) finish(failed bool, summary string) {
	j.mu.Lock()
	j.Done, j.Failed, j.Summary = true, failed, summary
	j.mu.Unlock()
}

type jobView struct {
	Steps   []jobStep `json:"steps"`
	Done    bool      `json:"done"`
	Failed  bool      `json:"failed"`
	Summary string    `json:"summary"`
}

func (j *job) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	return jobView{Steps: append([]jobStep{}, j.Steps...), Done: j.Done, Failed: j.Failed, Summary: j.Summary}
}
