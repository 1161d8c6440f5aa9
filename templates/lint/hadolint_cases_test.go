package lint

import (
	"strings"
	"testing"
)

// TestHadolintCases holds, without hadolint's repository at hand, the
// cases of hadolint's own tests that dockstage once answered differently,
// each with what it answers now: the rule (a DL alias) fires or not.
func TestHadolintCases(t *testing.T) {
	all := func(c Config) *Config { // every rule on, as hadolint's tests run them
		for _, r := range allRules {
			if r.Off {
				c.Enable = append(c.Enable, r.ID)
			}
		}
		return &c
	}
	trusted := all(Config{TrustedRegistries: []string{"trusted.com", "*.corp.example", "registry.example*"}})
	spdx := all(Config{LabelSchema: map[string]string{"license": "spdx"}})
	on := all(Config{})
	for _, c := range []struct {
		rule string
		cfg  *Config
		src  string
		want bool
	}{
		// DL3059: RUNs of one command each; a chained RUN is a deliberate split.
		{"DL3059", nil, "FROM debian:bookworm\nRUN foo\nRUN bar\n", true},
		{"DL3059", nil, "FROM debian:bookworm\nRUN foo && bar\nRUN foobar\n", false},
		{"DL3059", nil, "FROM debian:bookworm\nRUN foobar\nRUN foo; bar\n", false},
		{"DL3059", nil, "FROM debian:bookworm\nRUN foo && bar\nRUN foo\nRUN bar\n", true},
		// DL3010: an archive's name after its last / or \, copied under another name too.
		{"DL3010", nil, "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY build\\foo\\bar.tar.gz C:\\tmp\\\nRUN tar -xf C:\\tmp\\bar.tar.gz\n", true},
		{"DL3010", nil, "FROM debian:bookworm\nCOPY build/bar.tar.gz /tmp/foo.tar.gz\nRUN tar -xf /tmp/foo.tar.gz\n", true},
		{"DL3010", nil, "FROM debian:bookworm\nCOPY build/bar.tar.gz /tmp/\nRUN tar -xf /tmp/other.tar.gz\n", false},
		// DL4006: pipefail counts for bash, zsh and ash only (dash has none).
		{"DL4006", nil, "FROM scratch\nSHELL [\"/bin/sh\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://x | wc -l\n", true},
		{"DL4006", nil, "FROM scratch\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN wget -O - https://x | wc -l\n", false},
		{"DL4006", nil, "FROM scratch\nSHELL [\"/bin/bash\", \"-c\"]\nRUN wget -O - https://x | wc -l\n", true},
		// DL3026: COPY --from and mount images too; stages and indexes are not images.
		{"DL3026", trusted, "FROM trusted.com/a:1\nCOPY --from=untrusted.com/repo/image:tag /foo /bar\n", true},
		{"DL3026", trusted, "FROM trusted.com/a:1\nCOPY --from=trusted.com/repo/image:tag /foo /bar\n", false},
		{"DL3026", trusted, "FROM trusted.com/a:1 AS build\nFROM trusted.com/b:1\nCOPY --from=build /a /b\nCOPY --from=0 /a /c\n", false},
		{"DL3026", trusted, "FROM trusted.com/a:1\nRUN --mount=type=bind,from=untrusted.com/i:1,target=/x true\n", true},
		{"DL3026", trusted, "FROM trusted.com/a:1\nRUN --mount=type=cache,from=trusted.com/i:1,target=/x true\n", false},
		// a # check= comment above the RUN: BuildKit's reader needs a linter there
		{"DL3026", trusted, "FROM trusted.com/a:1\n# check=skip=all\nRUN --mount=type=bind,from=x.com/i:1,target=/x true\n", true},
		{"DL3026", trusted, "FROM eu.corp.example/a:1\n", false},
		{"DL3026", trusted, "FROM registry.example.org/a:1\n", false},
		{"DL3026", trusted, "FROM other.example/a:1\n", true},
		// DL3009 and DL3060: only stages that ship.
		{"DL3009", nil, "FROM ubuntu:24.04 AS foo\nRUN apt-get update && apt-get install -y python3\nFROM scratch\nCOPY --from=foo /a /a\n", false},
		{"DL3009", nil, "FROM ubuntu:24.04 AS foo\nRUN apt-get update && apt-get install -y python3\nFROM foo\n", true},
		{"DL3009", nil, "FROM debian:bookworm\nRUN aptitude update && aptitude install -y python3\n", true},
		{"DL3060", nil, "FROM node:22 AS foo\nRUN yarn install\nFROM scratch\n", false},
		{"DL3060", nil, "FROM node:22\nRUN yarn cache clean && yarn install\n", true},
		{"DL3060", nil, "FROM node:22\nRUN yarn install && yarn cache clean\n", false},
		{"DL3060", nil, "FROM node:22 AS foo\nONBUILD RUN yarn install\nFROM scratch\n", true},
		// DL4001: per stage.
		{"DL4001", nil, "FROM node:22 AS foo\nRUN wget x\nFROM debian:bookworm\nRUN curl y\n", false},
		{"DL4001", nil, "FROM debian:bookworm\nRUN wget x\nRUN curl y\n", true},
		// DL3057: the final stage's own HEALTHCHECK or one it is built FROM.
		{"DL3057", nil, "FROM scratch AS base\nHEALTHCHECK CMD [\"/bin/bla\"]\nFROM scratch\n", true},
		{"DL3057", nil, "FROM scratch AS base\nHEALTHCHECK CMD [\"/bin/bla\"]\nFROM base\n", false},
		// DL3048: a key starts with a letter.
		{"DL3048", nil, "FROM debian:bookworm\nLABEL 1invalid=\"foo\"\n", true},
		{"DL3048", nil, "FROM debian:bookworm\nLABEL org.valid-key.label3=\"foo\"\n", false},
		// DL3033, DL3041: a module without a stream.
		{"DL3033", nil, "FROM centos:7\nRUN yum module install -y tomcat && yum clean all\n", true},
		{"DL3033", nil, "FROM centos:7\nRUN yum module install -y tomcat:9 && yum clean all\n", false},
		{"DL3041", nil, "FROM fedora:40\nRUN dnf module install -y nodejs && dnf clean all\n", true},
		// DL3054: identifiers on the SPDX license list.
		{"DL3054", spdx, "FROM debian:bookworm\nLABEL license=\"not-spdx\"\n", true},
		{"DL3054", spdx, "FROM debian:bookworm\nLABEL license=\"Apache-2.0 OR MIT\"\n", false},
		// DL3020: quoted sources read unquoted.
		{"DL3020", nil, "FROM debian:bookworm\nADD \"file.tgz\" /usr/src/app/\n", false},
		{"DL3020", nil, "FROM debian:bookworm\nADD \"http://file.com\" /usr/src/app/\n", false},
		{"DL3020", nil, "FROM debian:bookworm\nADD \"file.txt\" /usr/src/app/\n", true},
		// DL3064: AWS_ACCESS_KEY_ID is a credential.
		{"DL3064", nil, "ARG AWS_ACCESS_KEY_ID\nFROM debian:bookworm\n", true},
		{"DL3064", nil, "FROM debian:bookworm\nENV AWS_REGION=eu-west-1\n", false},
	} {
		if c.cfg == nil {
			c.cfg = on
		}
		got := parityLint(t, parityCase{rule: c.rule, src: c.src, cfg: c.cfg})
		if got != c.want {
			t.Errorf("%s on\n%s: fires %v, want %v", c.rule, strings.TrimSpace(c.src), got, c.want)
		}
	}
}
