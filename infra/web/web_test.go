package web

import (
	"slices"
	"testing"
)

func TestAPIMethodsAreTheSmallestSetCloudFrontAccepts(t *testing.T) {
	tests := []struct {
		methods, want []string
	}{
		{[]string{"GET"}, []string{"GET", "HEAD"}},
		{[]string{"GET", "HEAD"}, []string{"GET", "HEAD"}},
		{[]string{"GET", "OPTIONS"}, []string{"GET", "HEAD", "OPTIONS"}},
		{[]string{"GET", "POST"}, []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}},
		{[]string{"DELETE"}, []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}},
	}
	for _, tt := range tests {
		if got := apiMethods(tt.methods); !slices.Equal(got, tt.want) {
			t.Errorf("apiMethods(%v) = %v, want %v", tt.methods, got, tt.want)
		}
	}
}
