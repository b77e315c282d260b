from diagram_samples import EXECUTION_1, seven_stage_pipeline, webapp_run

from codepipeline_lab.diagrams import execution_view
from codepipeline_lab.diagrams.live import LiveExecution, LiveFrame

PLAN = [("Source", "InProgress"), ("Source", "InProgress"), ("Source", "Succeeded"), ("Build", "InProgress"),
        ("Build", "Succeeded")]


class ScriptedLive(LiveExecution):
    """A live view whose Lab steps through PLAN (the picture repeats once, as real steps can)."""

    def __init__(self):
        super().__init__(lab=None, pipeline_name="WebApp", execution_id=EXECUTION_1)
        self.position = 0

    def picture(self):
        upto, status = PLAN[self.position]
        return execution_view(seven_stage_pipeline(), execution_id=EXECUTION_1,
                              action_executions=webapp_run(EXECUTION_1, upto, status))

    def step(self):
        if self.position + 1 >= len(PLAN):
            return False
        self.position += 1
        return True


def test_frames_follow_the_steps_skipping_unchanged_pictures():
    frames = list(ScriptedLive().frames())
    assert len(frames) == 4
    assert "Build.Build" in frames[-1].source
    last = execution_view(seven_stage_pipeline(), execution_id=EXECUTION_1,
                          action_executions=webapp_run(EXECUTION_1, "Build", "Succeeded"))
    assert frames[-1].source == last.source


def test_frames_stop_at_max_steps():
    assert len(list(ScriptedLive().frames(max_steps=1))) == 1


def test_live_frames_have_one_text_form_so_stored_and_checked_outputs_agree():
    live = ScriptedLive()
    first, *_, last = [LiveFrame(d, repr(live)) for d in live.frames()]
    assert repr(first) == repr(last) == "<live execution view of pipeline 'WebApp'>"
