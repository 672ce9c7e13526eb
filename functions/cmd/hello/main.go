// Command hello is the function behind GET / (package hello): it answers
// {"name": "..."} with {"message": "Hello <name>!"}. It runs as many Go
// threads at once as Lambda gives it vCPUs (package procs).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/hello"
	"signin/functions/procs"
)

func main() {
	procs.SetForLambda()
	lambda.Start(hello.Handle)
}
