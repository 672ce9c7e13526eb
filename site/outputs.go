package site

// The names of the stack outputs that hold the page's address and the
// address of the API it calls (its config.json's apiUrl). The Pulumi program
// exports them, `make up` prints the first, and `make smoke` and the deploy
// workflow read both: one definition for all of them.
const (
	OutputSiteURL = "siteUrl"
	OutputAPIURL  = "apiUrl"
)
