package transpile

import "github.com/dockstage/dockstage/spec"

// tagBareImages writes each bare image name that the spec would read as a
// misspelt stage (spec.Spec.MisspeltStage: `COPY --from=set` beside a stage
// test) with the tag BuildKit gives it, `set:latest`: the same image
// (BuildKit's reading of a name without tag), in the form the spec keeps
// for an image. FROM, COPY --from and RUN --mount from= are read; ONBUILD
// triggers are left as they are (they run in a later build).
func (r *reverser) tagBareImages(s *spec.Spec) {
	fix := func(ref *string, before, line int, what string) {
		if *ref == "" || what != "FROM" && s.StageRef(*ref, before) >= 0 { // FROM takes no index
			return
		}
		if stage, ok := s.MisspeltStage(*ref, before); ok {
			r.warnf(line, "%s %s names no stage (BuildKit reads it as the image %s:latest, not the stage %s): the spec writes %s:latest", what, *ref, *ref, stage, *ref)
			*ref += ":latest"
		}
	}
	for i, st := range s.Stages {
		if s.StageIndex(st.From, i) < 0 {
			fix(&st.From, i, st.Pos.Line, "FROM")
		}
		for k := range st.Steps {
			step := &st.Steps[k]
			if step.Copy != nil {
				fix(&step.Copy.From, i, step.Pos.Line, "COPY --from")
			}
			if step.Run != nil {
				for m := range step.Run.Mounts {
					fix(&step.Run.Mounts[m].From, i, step.Pos.Line, "RUN --mount from")
				}
			}
		}
	}
}
