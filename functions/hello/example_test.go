package hello_test

import (
	"context"
	"fmt"

	"signin/functions/hello"
)

// The greeting repeats the user's name without the characters that could
// disguise it, and greets a user without a name too.
func ExampleGreet() {
	fmt.Println(hello.Greet("  Ada Lovelace "))
	fmt.Println(hello.Greet("Eve\u202egnp.exe"))
	fmt.Println(hello.Greet(""))
	// Output:
	// Hello Ada Lovelace!
	// Hello Evegnp.exe!
	// Hello there!
}

// The handler answers the event the mapping template renders.
func ExampleHandle() {
	answer, err := hello.Handle(context.Background(), hello.Event{Name: "Ada Lovelace"})
	fmt.Println(answer.Message, err)
	// Output: Hello Ada Lovelace! <nil>
}
