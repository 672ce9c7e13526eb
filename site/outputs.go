package site

// The names of the stack outputs that hold the page's address and the
// address of the API it calls (its config.json's apiUrl). The Pulumi program
// exports them, `make up` prints the first, and `make smoke` and the deploy
// workflow read both: one definition for all of them.
const (
	OutputSiteURL = "siteUrl"
	OutputAPIURL  = "apiUrl"
)

// The names of the stack outputs that say where to watch the deployment:
// its CloudWatch dashboard's address, and the API's access log group (only
// when the API's logs are on). `make smoke` reports the first and looks for
// its own requests in the second.
const (
	OutputDashboardURL   = "dashboardUrl"
	OutputAccessLogGroup = "accessLogGroup"
)
