package api

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// gatewayResponses declares API Gateway's own 4XX and 5XX answers
// (gateway.ErrorResponseTypes) with the CORS headers, so the page can read
// them, and the error body of gateway.ErrorTemplate.
func (d *declarer) gatewayResponses() error {
	for _, t := range gateway.ErrorResponseTypes {
		res, err := apigateway.NewResponse(d.ctx, d.name+"-"+strings.ToLower(t), &apigateway.ResponseArgs{
			RestApiId:          d.api.RestAPI.ID(),
			ResponseType:       pulumi.String(t),
			ResponseParameters: quoted("gatewayresponse.header.", d.cors),
			ResponseTemplates:  pulumi.StringMap{"application/json": pulumi.String(gateway.ErrorTemplate)},
		}, d.opts())
		if err != nil {
			return fmt.Errorf("gateway response %s: %w", t, err)
		}
		d.track(res, res.ResponseType, res.StatusCode, res.ResponseParameters, res.ResponseTemplates)
	}
	return nil
}
