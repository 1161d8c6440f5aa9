package main

import (
	"context"
	"fmt"

	"github.com/dockstage/dockstage/templates/lock"
	"github.com/dockstage/dockstage/templates/workspace"
	"github.com/spf13/cobra"
)

func newLockCmd(s streams) *cobra.Command {
	var opts workspace.LockOptions
	cmd := &cobra.Command{
		Use:   "lock [SPEC...] [--update [--image NAME]] [--layouts-only]",
		Short: "Pin the images a spec builds from to their digests in dockstage.lock",
		Long: `Resolve each image the spec (default dockstage.yaml) builds from to its registry
digest, and each git layout it extends to a commit, in dockstage.lock beside it;
render pins the images and reads the layouts at those commits (offline, from the
cache, once fetched). --layouts-only pins the git layouts alone and asks no
registry (the lock's images stay as they are), for a registry that is not
reachable. Exit: 0 locked, 2 failed.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLock(cmd.Context(), s, append(args, "dockstage.yaml")[:max(len(args), 1)], opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Update, "update", false, "resolve the locked images and git layout refs again and print what moved")
	cmd.Flags().StringSliceVar(&opts.Images, "image", nil, "resolve only this image again (a reference or repository; repeatable; implies --update)")
	cmd.Flags().BoolVar(&opts.LayoutsOnly, "layouts-only", false, "pin only the git layouts, asking no registry (the lock's images stay as they are)")
	registryFlags(cmd, &opts.Resolver)
	return cmd
}

// registryFlags are the registry flags of lock and check.
func registryFlags(cmd *cobra.Command, r *lock.Resolver) {
	cmd.Flags().StringSliceVar(&r.Insecure, "insecure-registry", nil, "a registry HOST[:PORT] reached over plain HTTP (repeatable)")
	cmd.Flags().DurationVar(&r.Timeout, "timeout", lock.DefaultTimeout, "time allowed for each image's registry requests")
}

func runLock(ctx context.Context, s streams, specs []string, opts workspace.LockOptions) error {
	done, err := workspace.Lock(ctx, specs, opts)
	for _, l := range done {
		fmt.Fprint(s.out, l.Report())
	}
	return err
}
