"""``dg scaffold defs floe_dagster.FloeComponent defs/<name> [--dbt-project PATH]``: a defs.yaml,
the starter floe.yaml ``floe init`` writes (one template: ``_project.starter_floe_yaml``), a
``.gitignore`` entry for floe's local state, and, as ``floe init`` does, the partition macros
in the dbt project (``macros/floe_partitions.sql``, unless it has its own)."""

import os
from pathlib import Path

from dagster import Scaffolder, ScaffoldRequest, scaffold_component
from pydantic import BaseModel, Field

from floe_dagster._project import (
    ignore_state,
    project_name,
    starter_floe_yaml,
    write_partition_macros,
)


class FloeScaffoldParams(BaseModel):
    """What ``dg scaffold defs floe_dagster.FloeComponent`` accepts."""

    dbt_project: str | None = Field(
        default=None,
        description="The dbt project (the folder holding dbt_project.yml), relative to the "
        "working directory; default: a dbt_project.yml in the component's folder.",
    )


class FloeScaffolder(Scaffolder[FloeScaffoldParams]):
    """Writes ``defs.yaml``, a commented starter ``floe.yaml`` beside it, and the partition
    macros into the dbt project."""

    @classmethod
    def get_scaffold_params(cls) -> type[FloeScaffoldParams]:
        return FloeScaffoldParams

    def scaffold(self, request: ScaffoldRequest[FloeScaffoldParams]) -> None:
        folder = request.target_path
        dbt = Path(request.params.dbt_project).absolute() if request.params.dbt_project else folder
        if not (dbt / "dbt_project.yml").is_file():
            _drop_if_empty(folder)  # dg made it for us
            raise SystemExit(
                f"floe: no dbt_project.yml in {dbt}\n"
                "    fix: pass --dbt-project PATH (the folder holding dbt_project.yml)"
            )
        floe_yaml = folder / "floe.yaml"
        if floe_yaml.exists():
            raise SystemExit(
                f"floe: {floe_yaml} exists; scaffolding would overwrite it\n"
                "    fix: scaffold into a new folder, or point config at the existing floe.yaml"
            )
        folder.mkdir(parents=True, exist_ok=True)
        relative = Path(os.path.relpath(dbt, folder)).as_posix()
        floe_yaml.write_text(starter_floe_yaml(project_name(dbt / "dbt_project.yml"), relative))
        ignore_state(folder)
        write_partition_macros(dbt)
        scaffold_component(request, {"config": "floe.yaml"})


def _drop_if_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
