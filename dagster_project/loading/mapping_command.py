"""`empathy-lake mapping list|use|suggest|check`: vendor profiles and the mapping assistant (docs/mappings.md,
"Vendor profiles and the mapping assistant")."""

from __future__ import annotations

import argparse
from pathlib import Path

from dagster_project.loading.reader import LoadError
from dagster_project.loading.sandbox import MappingError


def add_arguments(parsers: dict[str, argparse.ArgumentParser]) -> None:
    use = parsers["use"]
    use.add_argument("profile", help="a vendor profile's name (`empathy-lake mapping list`)")
    use.add_argument(
        "--files",
        action="append",
        help="glob of the exports in the landing folder (repeatable; default: the profile's own folder)",
    )
    suggest = parsers["suggest"]
    suggest.add_argument("file", type=Path, help="the export (CSV, CSV.GZ or Parquet)")
    suggest.add_argument("--entity", help="the contract entity to map to (default: the one the columns fit best)")
    suggest.add_argument("--out", type=Path, help="write the draft here (default: print it)")
    check = parsers["check"]
    check.add_argument("file", type=Path, help="the export to try")
    check.add_argument("--mapping", help="a mapping file, or a vendor profile's name (default: the matching profile)")


def run(settings, args: argparse.Namespace) -> int:
    from dagster_project.loading import assistant, profiles

    try:
        if args.mapping_command == "list":
            for profile in profiles.list_profiles():
                print(f"{profile.name:<26} {', '.join(profile.entities):<34} {profile.summary}")
            return 0
        if args.mapping_command == "use":
            target = profiles.use_profile(args.profile, settings.mappings_dir, args.files)
            mapping = profiles.get_profile(args.profile)
            globs = args.files or mapping.raw.get("files")
            print(f"wrote the {args.profile} mapping into the landing folder as _mappings/{target.name}")
            print(f"put the exports where its files: globs look ({', '.join(globs)}), then `empathy-lake run`")
            return 0
        if args.mapping_command == "suggest":
            found = assistant.suggest(args.file, args.entity)
            if found.profile:
                share = f"{found.score:.0%} of its columns"
                print(f"{args.file.name}: matches the vendor profile {found.profile} ({share})")
            else:
                print(f"{args.file.name}: no vendor profile matches; columns proposed for {found.entity}")
            if args.out:
                args.out.write_text(found.draft, encoding="utf-8")
                print(f"draft written to {args.out.name}: check the lines marked DECIDE, then `mapping check` it")
            else:
                print(found.draft, end="")
            return 0
        if args.mapping_command == "check":
            name, results = assistant.check(args.file, args.mapping)
            print(assistant.format_check(args.file, name, results))
            return 1 if any(r.status == "failed" for r in results) else 0
    except (MappingError, LoadError, KeyError, OSError) as exc:
        print(f"mapping {args.mapping_command}: {_plain(exc, args)}")
        return 1
    return 2


def _plain(exc: Exception, args: argparse.Namespace) -> str:
    """The error in plain words: an operating-system error names the file, never its path or errno."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, OSError) and exc.strerror:
        name = Path(exc.filename).name if exc.filename else getattr(args, "file", Path("")).name
        if isinstance(exc, IsADirectoryError):
            return f"{name} is a folder, not a file: give one export"
        return f"{name}: {exc.strerror[0].lower()}{exc.strerror[1:]}"
    return str(exc)
