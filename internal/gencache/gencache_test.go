package gencache

import (
	"strconv"
	"sync"
	"testing"
)

func TestGetPut(t *testing.T) {
	c := New[int](10)
	if _, ok := c.Get(0, "a"); ok {
		t.Fatal("empty map answered")
	}
	c.Put(1, "a", 1)
	if v, ok := c.Get(1, "a"); !ok || v != 1 {
		t.Fatalf("Get(1, a) = %d, %v; want 1, true", v, ok)
	}
	if v, ok := c.GetBytes(1, []byte("a")); !ok || v != 1 {
		t.Fatalf("GetBytes(1, a) = %d, %v; want 1, true", v, ok)
	}
	if _, ok := c.GetBytes(2, []byte("a")); ok {
		t.Fatal("GetBytes answered for another generation")
	}
	// A write moved the generation: the entry is stale.
	if _, ok := c.Get(2, "a"); ok {
		t.Fatal("entry of generation 1 answered at generation 2")
	}
	c.Put(2, "b", 2)
	if _, ok := c.Get(2, "a"); ok {
		t.Fatal("entry of generation 1 survived a Put at generation 2")
	}
	// A value read before the write that moved the generation to 2 is not kept.
	c.Put(1, "c", 3)
	if _, ok := c.Get(2, "c"); ok {
		t.Fatal("a Put of an older generation was kept")
	}
	if _, ok := c.Get(1, "c"); ok {
		t.Fatal("a Put of an older generation answered at its generation")
	}
}

func TestBound(t *testing.T) {
	c := New[int](3)
	for i := range 10 {
		c.Put(1, strconv.Itoa(i), i)
		if n := len(c.m); n > 3 {
			t.Fatalf("after %d puts the map holds %d entries, more than its bound 3", i+1, n)
		}
		if v, ok := c.Get(1, strconv.Itoa(i)); !ok || v != i {
			t.Fatalf("the entry just put is missing: %d, %v", v, ok)
		}
	}
}

func TestConcurrent(t *testing.T) {
	c := New[string](1000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				gen := uint64(i / 100)
				k := strconv.Itoa(g*1000 + i)
				c.Put(gen, k, k)
				if v, ok := c.Get(gen, k); ok && v != k {
					t.Errorf("Get(%d, %s) = %s", gen, k, v)
				}
			}
		}()
	}
	wg.Wait()
}

// A hit allocates nothing, with the key in bytes or in a string.
func TestGetAllocs(t *testing.T) {
	c := New[int](10)
	c.Put(1, "account/role/name-of-some-length", 1)
	key := []byte("account/role/name-of-some-length")
	if n := testing.AllocsPerRun(100, func() { c.GetBytes(1, key) }); n != 0 {
		t.Errorf("GetBytes allocates %v times", n)
	}
	s := string(key)
	if n := testing.AllocsPerRun(100, func() { c.Get(1, s) }); n != 0 {
		t.Errorf("Get allocates %v times", n)
	}
}

// Hits and misses are counted under the map's name: New's derived one, or NewNamed's, which
// maps of one name share.
func TestStats(t *testing.T) {
	before := stat(t, "gencache/float64", false)
	c := New[float64](10)
	c.Put(1, "a", 1)
	c.Get(1, "a")
	c.GetBytes(1, []byte("a"))
	c.Get(1, "b")
	c.Get(2, "a")
	got := stat(t, "gencache/float64", true)
	if got.Hits-before.Hits != 2 || got.Misses-before.Misses != 2 {
		t.Errorf("stats %+v then %+v: want 2 more hits and 2 more misses", before, got)
	}
	a, b := NewNamed[string]("test/shared", 10), NewNamed[string]("test/shared", 10)
	a.Put(1, "k", "v")
	a.Get(1, "k")
	b.Get(1, "k")
	if got, want := stat(t, "test/shared", true), (Stat{Name: "test/shared", Hits: 1, Misses: 1}); got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}

func stat(t *testing.T, name string, must bool) Stat {
	t.Helper()
	for _, s := range Stats() {
		if s.Name == name {
			return s
		}
	}
	if must {
		t.Fatalf("no stats named %q in %+v", name, Stats())
	}
	return Stat{Name: name}
}
