module signin/local

go 1.26.6

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/chromedp/chromedp v0.23.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	signin/functions v0.0.0
	signin/site v0.0.0
)

replace signin/functions => ../functions

replace signin/site => ../site
