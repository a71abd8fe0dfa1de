from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from jiuzhu.rules.assess import assess, parse_facts
from jiuzhu.rules.errors import RulesError


class Command(BaseCommand):
    help = "按数据库中的规则和设置审查一件救助申请的事实（contracts §7），以JSON输出结论。"
    stealth_options = ("stdin",)  # tests pass a file-like object in place of standard input

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE.json", help="事实文件（JSON）；“-”表示从标准输入读取")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        text = read_input(file, options.get("stdin") or sys.stdin)
        try:
            result = assess(parse_facts(text))
        except RulesError as e:
            raise CommandError(str(e)) from None
        except DatabaseError as e:
            raise CommandError(f"无法读取数据库（{e}）；请先运行 jiuzhu migrate。") from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))


def read_input(name: str, stdin: Any) -> str:
    """Return the text of file NAME ("-": STDIN), or raise CommandError in Chinese."""
    try:
        if name == "-":
            data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        else:
            with open(name, "rb") as fh:
                data = fh.read()
        return data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except FileNotFoundError:
        raise CommandError(f"找不到文件：{name}") from None
    except IsADirectoryError:
        raise CommandError(f"{name} 是目录，不是文件。") from None
    except PermissionError:
        raise CommandError(f"没有读取 {name} 的权限。") from None
    except UnicodeDecodeError:
        raise CommandError(f"{'标准输入' if name == '-' else name} 不是 UTF-8 编码的文本。") from None
    except OSError as e:
        raise CommandError(f"无法读取 {name}：{e.strerror or e}") from None
