"""Print every question with its computed answer, one JSON object a line."""

import json

from core.questions import all_questions


def main() -> None:
    """Write each question as one JSON line to standard output."""
    for q in all_questions():
        row = {
            "id": q.id,
            "chapter": q.chapter,
            "prompt": q.prompt,
            "kind": q.kind,
            "choices": list(q.choices),
            "answer": q.answer(),
            "explanation": q.explanation,
        }
        if q.kind == "number":
            row |= {"tolerance": q.tolerance, "low": q.low, "high": q.high}
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
