package limits_test

import (
	"fmt"
	"strings"

	"signin/infra/limits"
)

func ExampleCheckEnvironment() {
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%03d@example.com", i)
	}
	err := limits.CheckEnvironment(map[string]string{
		"GOOGLE_CLIENT_ID": "123-abc.apps.googleusercontent.com",
		"ALLOWED_EMAILS":   strings.Join(emails, ","),
	})
	fmt.Println(err)
	// Output:
	// the Lambda environment takes 6076 bytes, 1980 more than the 4096 (4 KB) Lambda allows (bytes by variable: ALLOWED_EMAILS 6013, GOOGLE_CLIENT_ID 50)
}
