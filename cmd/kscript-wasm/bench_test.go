package main

import "testing"

// BenchmarkLessons lists the lessons, as the page does when it starts.
func BenchmarkLessons(b *testing.B) {
	for b.Loop() {
		listLessons()
	}
}

// BenchmarkRun runs lesson 01 with its pictures, as the page's Run does.
func BenchmarkRun(b *testing.B) {
	l, err := getLesson("01_kmalloc")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		runLesson(l.ID, l.Source, "en")
	}
}
