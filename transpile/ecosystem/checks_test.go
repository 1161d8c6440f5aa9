package ecosystem

import (
	"strings"
	"testing"
)

func TestClassifyChecks(t *testing.T) {
	checks := []string{
		"pytest -q", "py.test", "poetry run pytest", "pipenv run pytest tests", "uv run pytest", "uv run --frozen mypy .",
		"hatch run test:pytest", "tox -e py312", "nox -s tests", "python -m pytest", "python3 -m unittest discover",
		"python -m mypy src", "ruff check .", "ruff .", "ruff format --check .", "flake8", "mypy app", "black --check .",
		"npx jest --ci", "npx eslint .", "npx tsc --noEmit", "npx vitest run", "npm run lint", "npm test -- --ci",
		"npm run test:unit", "yarn test", "yarn lint", "pnpm lint", "pnpm run typecheck", "pnpm exec vitest", "bun test",
		"bun run lint", "bunx tsc --noEmit", "eslint src", "tsc --noEmit -p .", "jest", "vitest run",
		"bundle exec rspec", "bundle exec rubocop", "rspec", "bundle exec rake test", "rails test",
		"make test", "make check", "make lint", "go vet ./...", "go test ./...", "golangci-lint run",
		"cargo test --release", "cargo clippy -- -D warnings", "dotnet test", "php artisan test", "phpunit",
		"vendor/bin/phpunit", "php vendor/bin/phpstan analyse",
	}
	for _, c := range checks {
		if got := ClassifyArgs(strings.Fields(c), nil); got.Role != RoleTest {
			t.Errorf("%q: role %v, want RoleTest", c, got.Role)
		}
	}
	for _, c := range []string{
		"ruff format .", "black .", "eslint --fix .", "tsc", "npm run build", "yarn build", "make", "make install",
		"poetry run python app.py", "uv run app.py", "npx prisma generate", "cargo build --release", "go build ./...",
		"prettier --write .", "npm start", "bun run build",
	} {
		if got := ClassifyArgs(strings.Fields(c), nil); got.Role == RoleTest {
			t.Errorf("%q: RoleTest, want another role", c)
		}
	}
}
