"""The partner finder's map: labels of clustered towns never overlap."""

from __future__ import annotations

from c4c_lms.content import partners


def test_clustered_labels_do_not_overlap():
    """Ten towns within a few kilometres of each other: are all ten placed (name or rank), with
    no two label boxes overlapping, and is the learner's own label among them?"""
    results = [{"name": f"Town number {n}", "lat": 50.0 + 0.05 * n, "lon": 20.0 + 0.04 * n, "score": 60 + n}
               for n in range(12)]
    community = {"lat": 50.2, "lon": 20.2}
    fig = partners.scatter_figure(results, community, "Suggestions", "You")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    assert "You" in [t.get_text() for t in texts]
    assert len(texts) >= 8  # nearly every label fits, some by rank only
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two labels overlap"
    assert partners.scatter_png(results, community, "Suggestions", "You")[:4] == b"\x89PNG"
