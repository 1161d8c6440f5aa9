package main

import (
	"github.com/dockstage/dockstage/spec"
	"github.com/spf13/cobra"
)

func newSchemaCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec",
		Long: `Print the JSON Schema (draft 2020-12) of dockstage.yaml, generated from the spec's
Go types. Specs that dockstage writes start with a yaml-language-server comment
pointing at it, so editors validate and complete them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := spec.JSONSchema()
			if err != nil {
				return err
			}
			_, err = s.out.Write(b)
			return err
		},
	}
}
