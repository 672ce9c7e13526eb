package dashboard

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
	"signin/infra/function"
)

// Args configure the dashboard; the outputs are resolved into a Spec.
type Args struct {
	// Region is the stack's region.
	Region pulumi.StringInput
	// APIName and Stage name the REST API's stage.
	APIName, Stage pulumi.StringInput
	// Routes is the route table.
	Routes gateway.Table
	// Functions are every function of the route table, the authorizer
	// included, in the table's order.
	Functions []*function.Lambda
	// AccessLogGroup is the API's access log group's name, or nil.
	AccessLogGroup pulumi.StringInput
	// LogLevel and SystemLogLevel are the functions' log levels.
	LogLevel, SystemLogLevel string
}

// Dashboard is the stack's CloudWatch dashboard.
type Dashboard struct {
	// URL is the dashboard's address in the CloudWatch console.
	URL pulumi.StringOutput
}

// New declares the dashboard, named after the project, the stack and
// the region: dashboards are account-wide, whatever their region, so two
// regions' stacks of one name must not share one.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Dashboard, error) {
	title := ctx.Project() + "/" + ctx.Stack()
	dashboardName := pulumi.Sprintf("%s-%s-%s", ctx.Project(), ctx.Stack(), args.Region)
	accessLog := args.AccessLogGroup
	if accessLog == nil {
		accessLog = pulumi.String("")
	}
	values := []any{args.Region, args.APIName, args.Stage, accessLog}
	for _, fn := range args.Functions {
		values = append(values, fn.Function.Name, fn.LogGroup.Name)
	}
	body := pulumi.All(values...).ApplyT(func(v []any) (string, error) {
		s := Spec{
			Title:          title,
			Region:         v[0].(string),
			APIName:        v[1].(string),
			Stage:          v[2].(string),
			AccessLogGroup: v[3].(string),
			Routes:         args.Routes,
			LogLevel:       args.LogLevel,
			SystemLogLevel: args.SystemLogLevel,
		}
		for i, fn := range args.Functions {
			s.Functions = append(s.Functions, Function{Name: fn.Name, FunctionName: v[4+2*i].(string), LogGroup: v[5+2*i].(string)})
		}
		return Body(s)
	}).(pulumi.StringOutput)
	d, err := cloudwatch.NewDashboard(ctx, name, &cloudwatch.DashboardArgs{
		DashboardName: dashboardName,
		DashboardBody: body,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	return &Dashboard{URL: pulumi.Sprintf("https://%[1]s.console.aws.amazon.com/cloudwatch/home?region=%[1]s#dashboards/dashboard/%[2]s", args.Region, d.DashboardName)}, nil
}
