// Command hello is the greeting Lambda (package greeting): it answers
// {"name": "..."} with {"message": "Hello <name>!"}.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/greeting"
)

func main() {
	lambda.Start(greeting.Handle)
}
