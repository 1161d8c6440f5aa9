package ecosystem

import (
	"strings"
)

// TestSuggestion is a test stage for an ecosystem whose Dockerfile runs no
// tests: the steps, and what they assume.
func TestSuggestion(e Found, ctx *BuildContext) (steps []string, assumes string) {
	switch e.Name {
	case "python":
		switch e.Tool {
		case "poetry":
			return []string{"poetry install --no-root --with dev", "python -m pytest"}, "pytest is a dev dependency in pyproject.toml"
		case "pipenv":
			return []string{"pipenv install --system --dev", "python -m pytest"}, "pytest is a dev package in the Pipfile"
		case "uv":
			return []string{"uv sync --frozen", "uv run pytest"}, "pytest is in the project's dev dependency group"
		}
		for _, f := range ctx.Matching("requirements*.txt", true) {
			if devRequirementsRE().MatchString(strings.TrimSuffix(f, ".txt")) {
				return []string{"pip install --no-cache-dir -r " + f, "python -m pytest"}, f + " lists pytest"
			}
		}
		return []string{"pip install --no-cache-dir pytest", "python -m pytest"}, "the tests are pytest or unittest tests"
	case "node":
		switch e.Tool {
		case "yarn":
			return []string{"yarn install --frozen-lockfile", "yarn test"}, "package.json has a test script"
		case "pnpm":
			return []string{"pnpm install --frozen-lockfile", "pnpm test"}, "package.json has a test script"
		case "bun":
			return []string{"bun install --frozen-lockfile", "bun test"}, "the tests run under bun's test runner"
		}
		return []string{"npm ci", "npm test"}, "package.json has a test script, and npm ci installs the devDependencies it needs"
	case "go":
		return []string{"go test ./..."}, ""
	case "java":
		if e.Tool == "gradle" {
			if ctx.HasFile("gradlew") {
				return []string{"./gradlew test --no-daemon"}, ""
			}
			return []string{"gradle test --no-daemon"}, ""
		}
		if ctx.HasFile("mvnw") {
			return []string{"./mvnw -B test"}, ""
		}
		return []string{"mvn -B test"}, ""
	case "ruby":
		if ctx.Has("spec") || ctx.HasFile(".rspec") {
			return []string{"bundle exec rspec"}, "rspec is in the Gemfile's test group, installed in this stage"
		}
		return []string{"bundle exec rake test"}, "the Gemfile's test group is installed in this stage"
	case "php":
		return []string{"composer install --no-interaction", "vendor/bin/phpunit"}, "phpunit is in require-dev"
	case "rust":
		return []string{"cargo test --release"}, ""
	case "dotnet":
		return []string{"dotnet test"}, "a test project is part of the solution"
	case "static":
		return []string{"nginx -t"}, "the image is nginx: this checks the configuration"
	}
	return nil, ""
}
