#!/usr/bin/env bash
# Tells preview.yml and deploy.yml whether they can run Pulumi against AWS.
#
# Reads from the environment:
#   PULUMI_COMMAND       the Pulumi command the workflow runs: preview or up
#   FORK                 true when the pull request comes from a fork
#   DEPENDABOT           true when Dependabot started the run
#   AWS_ROLE_ARN         the role to assume through GitHub's OIDC token
#   PULUMI_BACKEND_URL   the self-managed backend (s3://...), or
#   PULUMI_ACCESS_TOKEN  the Pulumi Cloud token
#   PULUMI_CONFIG_PASSPHRASE
#                        the passphrase of a stack whose file has an
#                        encryptionsalt (its secrets are passphrase-encrypted)
#   PULUMI_STACK         the stack: its configuration is Pulumi.<name>.yaml,
#                        which must set googleClientId
# Writes ready=true or ready=false to $GITHUB_OUTPUT. When not ready, it
# writes why to $GITHUB_STEP_SUMMARY and still succeeds: a repository not yet
# wired to AWS, a fork's pull request or Dependabot's stays green.
set -euo pipefail

: "${PULUMI_COMMAND:?}" "${PULUMI_STACK:?}" "${GITHUB_OUTPUT:?}" "${GITHUB_STEP_SUMMARY:?}"

# A fully qualified stack (org/project/name) keeps its configuration in
# Pulumi.<name>.yaml.
config="Pulumi.${PULUMI_STACK##*/}.yaml"

# A googleClientId line with a real client ID, not the placeholder.
client_id="^[[:space:]]*[[:alnum:]_-]+:googleClientId:[[:space:]]*[\"']?[0-9]+-[[:alnum:]]+\\.apps\\.googleusercontent\\.com"

reasons=()
if [[ ${FORK:-false} == true ]]; then
	reasons+=("This pull request comes from a fork: GitHub gives it no OIDC token and no secrets, so it cannot reach AWS or the Pulumi backend.")
fi
if [[ ${DEPENDABOT:-false} == true ]]; then
	reasons+=("Dependabot started this run: GitHub treats it like a fork's pull request, with no OIDC token and no secrets.")
fi
if [[ -z ${AWS_ROLE_ARN:-} ]]; then
	reasons+=("The variable \`AWS_ROLE_ARN\` is not set: there is no AWS role to assume.")
fi
if [[ -z ${PULUMI_BACKEND_URL:-} && -z ${PULUMI_ACCESS_TOKEN:-} ]]; then
	reasons+=("Neither the variable \`PULUMI_BACKEND_URL\` nor the secret \`PULUMI_ACCESS_TOKEN\` is set: there is no Pulumi backend to hold the stack's state.")
fi
if [[ ! -f $config ]]; then
	reasons+=("\`$config\` is not in the repository: the stack \`$PULUMI_STACK\` has no configuration.")
else
	if ! grep -Eq "$client_id" "$config"; then
		reasons+=("\`$config\` sets no Google client ID: run \`pulumi config set googleClientId <digits>-<id>.apps.googleusercontent.com\` and commit the file.")
	fi
	if grep -q '^encryptionsalt:' "$config" && [[ -z ${PULUMI_CONFIG_PASSPHRASE:-} ]]; then
		reasons+=("\`$config\` encrypts its secrets with a passphrase, and the secret \`PULUMI_CONFIG_PASSPHRASE\` is not set.")
	fi
fi

if ((${#reasons[@]} == 0)); then
	echo "ready=true" >>"$GITHUB_OUTPUT"
	exit 0
fi

echo "ready=false" >>"$GITHUB_OUTPUT"
{
	echo "### pulumi $PULUMI_COMMAND skipped"
	echo
	printf -- '- %s\n' "${reasons[@]}"
	echo
	echo "docs/ci.md says what to set up."
} >>"$GITHUB_STEP_SUMMARY"
echo "::notice title=pulumi $PULUMI_COMMAND skipped::${reasons[*]}"
