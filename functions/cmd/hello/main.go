// Command hello is the function behind GET / (package hello): it answers
// {"name": "..."} with {"message": "Hello <name>!"}.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/hello"
)

func main() {
	lambda.Start(hello.Handle)
}
