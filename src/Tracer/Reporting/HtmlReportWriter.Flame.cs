using System.Globalization;
using System.Text;
using LeakScope.Tracer.Analysis;

namespace LeakScope.Tracer.Reporting;

/// <summary>
/// The flame graphs of the HTML report: an icicle of leaked bytes by call stack (and one of growth), outermost frame on
/// top. Laid out here as positioned boxes, so it shows without script; a few lines of script zoom into a frame on click
/// (click the top bar to zoom out) and highlight the frames a search matches, with their share of the bytes.
/// </summary>
public static partial class HtmlReportWriter
{
    /// <summary>Boxes narrower than this share of the graph are left out (their bytes still count in their parents).</summary>
    private const double MinShare = 0.002;

    private const int MaxBoxes = 3000;

    private static void FlameGraphs(StringBuilder h, IReadOnlyList<Finding> findings, ReportContext context)
    {
        Flame(h, findings.Where(f => f.Kind == FindingKind.Leak).ToList(), "flame-leak", "Leaked bytes by call stack", context);
        Flame(h, findings.Where(f => f.Kind == FindingKind.Growth).ToList(), "flame-growth", "Growth by call stack", context);
    }

    private static void Flame(StringBuilder h, List<Finding> findings, string id, string title, ReportContext context)
    {
        var root = new FlameNode("all");
        foreach (Finding f in findings)
        {
            if (f.Stacks.Count == 0)
            {
                root.Child($"[no stack] {Where(f.Site, context)}").Bytes += f.Bytes;
                continue;
            }

            foreach (FindingStack stack in f.Stacks)
            {
                FlameNode node = root;
                for (int i = stack.Frames.Count - 1; i >= 0; i--)
                {
                    node = node.Child(FrameText(stack.Frames[i], context));
                    node.Bytes += stack.Bytes;
                }
            }
        }

        root.Bytes = root.Children.Values.Sum(c => c.Bytes);
        if (root.Bytes <= 0)
        {
            return;
        }

        bool estimated = findings.Any(f => f.Stacks.Any(s => s.Estimated));
        h.Append("<section id=\"").Append(id).Append("\" class=\"flame\">\n<h2>").Append(Encode(title)).Append("</h2>\n");
        h.Append("<p class=\"muted\">Outermost frame on top; a box's width is its bytes").Append(estimated ? " (estimated from byte samples)" : string.Empty)
            .Append(". Click a box to zoom in, the top bar to zoom out. <input type=\"search\" class=\"flame-search\" placeholder=\"search frames\" /> <span class=\"flame-match\"></span></p>\n");
        int depth = 0;
        var boxes = new StringBuilder();
        int count = 0;
        Layout(root, 0, 1, 0, root.Bytes, boxes, ref depth, ref count);
        h.Append("<div class=\"flame-graph\" data-total=\"").Append(root.Bytes.ToString(CultureInfo.InvariantCulture)).Append("\" style=\"height:")
            .Append(((depth + 1) * 18).ToString(CultureInfo.InvariantCulture)).Append("px\">\n").Append(boxes).Append("</div>\n</section>\n");
    }

    private static void Layout(FlameNode node, double x, double w, int level, long total, StringBuilder boxes, ref int depth, ref int count)
    {
        if (w < MinShare || count >= MaxBoxes)
        {
            return;
        }

        count++;
        depth = Math.Max(depth, level);
        string label = $"{node.Name} — {FindingText.Bytes(node.Bytes)} ({100.0 * node.Bytes / total:F1}%)";
        boxes.Append("<div class=\"fb\" data-x=\"").Append(x.ToString("R", CultureInfo.InvariantCulture))
            .Append("\" data-w=\"").Append(w.ToString("R", CultureInfo.InvariantCulture))
            .Append("\" data-bytes=\"").Append(node.Bytes.ToString(CultureInfo.InvariantCulture))
            .Append("\" style=\"left:").Append((x * 100).ToString("F4", CultureInfo.InvariantCulture))
            .Append("%;width:").Append((w * 100).ToString("F4", CultureInfo.InvariantCulture))
            .Append("%;top:").Append((level * 18).ToString(CultureInfo.InvariantCulture))
            .Append("px;background:hsl(").Append(Hue(node.Name).ToString(CultureInfo.InvariantCulture)).Append(",70%,72%)\" title=\"")
            .Append(Encode(label)).Append("\">").Append(Encode(node.Name)).Append("</div>\n");
        double offset = x;
        foreach (FlameNode child in node.Children.Values.OrderByDescending(c => c.Bytes).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            double width = node.Bytes > 0 ? w * child.Bytes / node.Bytes : 0;
            Layout(child, offset, width, level + 1, total, boxes, ref depth, ref count);
            offset += width;
        }
    }

    /// <summary>Warm hues, stable per name, so one method has one colour in every graph.</summary>
    private static int Hue(string name)
    {
        uint hash = 2166136261;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash % 50);
    }

    private sealed class FlameNode(string name)
    {
        public string Name { get; } = name;

        public long Bytes { get; set; }

        public Dictionary<string, FlameNode> Children { get; } = new(StringComparer.Ordinal);

        public FlameNode Child(string name)
        {
            if (!Children.TryGetValue(name, out FlameNode? child))
            {
                Children[name] = child = new FlameNode(name);
            }

            return child;
        }
    }

    private const string FlameCss = """
        .flame-graph { position: relative; overflow: hidden; border: 1px solid var(--line); font: 11px/18px ui-monospace, monospace; }
        .flame-graph .fb { position: absolute; height: 17px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; padding: 0 3px; box-sizing: border-box; border-right: 1px solid #fff; cursor: pointer; }
        .flame-graph .fb.hit { background: #e8b400 !important; }
        .flame-graph .fb.out { display: none; }

        """;

    private const string FlameScript = """
        document.querySelectorAll('section.flame').forEach(function (section) {
          var graph = section.querySelector('.flame-graph'), boxes = Array.prototype.slice.call(graph.querySelectorAll('.fb'));
          var total = Number(graph.getAttribute('data-total'));
          function zoom(box) {
            var x0 = Number(box.getAttribute('data-x')), w0 = Number(box.getAttribute('data-w')), top0 = parseInt(box.style.top, 10);
            boxes.forEach(function (b) {
              var x = Number(b.getAttribute('data-x')), w = Number(b.getAttribute('data-w')), top = parseInt(b.style.top, 10);
              var inside = x >= x0 - 1e-12 && x + w <= x0 + w0 + 1e-12;
              var above = top < top0 && x <= x0 + 1e-12 && x + w >= x0 + w0 - 1e-12;
              b.classList.toggle('out', !(inside || above));
              b.style.left = (above ? 0 : (x - x0) / w0 * 100) + '%';
              b.style.width = (above ? 100 : w / w0 * 100) + '%';
            });
          }
          boxes.forEach(function (b) { b.addEventListener('click', function () { zoom(b); }); });
          var search = section.querySelector('.flame-search'), match = section.querySelector('.flame-match');
          search.addEventListener('input', function () {
            var q = search.value.toLowerCase(), bytes = 0, seen = [];
            boxes.forEach(function (b) {
              var hit = q.length > 0 && b.textContent.toLowerCase().indexOf(q) >= 0;
              b.classList.toggle('hit', hit);
              if (hit && !seen.some(function (s) { return Number(b.getAttribute('data-x')) >= Number(s.getAttribute('data-x')) && Number(b.getAttribute('data-x')) < Number(s.getAttribute('data-x')) + Number(s.getAttribute('data-w')); })) {
                seen.push(b); bytes += Number(b.getAttribute('data-bytes'));
              }
            });
            match.textContent = q.length > 0 ? 'matched: ' + (100 * bytes / total).toFixed(1) + '% of the bytes' : '';
          });
        });

        """;
}
