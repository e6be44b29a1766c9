/// An inline SVG chart, drawn on the server: its geometry here, its markup in `chart.mustache` (so every
/// label is escaped like any other value, SVG text included), its numbers in a table beside it.
struct ChartView {
    /// A rectangle: one bar, or one segment of a stacked column.
    struct Mark {
        var x, y, width, height: Double
        /// A CSS class (`series-0`…): the fill comes from the style sheet, never an inline style.
        var series: String
        /// What a pointer over it shows (`<title>`).
        var tip: String
    }

    /// A text: a bar's label or value, an axis tick.
    struct Label {
        var x, y: Double
        var anchor: String
        var text: String
    }

    /// One series of a stacked chart, for the legend.
    struct LegendItem {
        var series: String
        var name: String
    }

    /// Unique on the page: the ids of the `<title>` and `<desc>` the SVG is labelled by.
    var id: String
    var title: String
    var desc: String
    var width: Double
    var height: Double
    var marks: [Mark] = []
    var labels: [Label] = []
    var legend: [LegendItem] = []
    /// The numbers, for the accessible table: its column heads and rows. (Stored, not computed: the
    /// templates see stored properties only.)
    var columns: [String]
    var rows: [TableRow]

    struct TableRow {
        var head: String
        var cells: [String]

        init(_ values: [String]) {
            head = values.first ?? ""
            cells = Array(values.dropFirst())
        }
    }

    static let labelWidth = 230.0
    static let barArea = 420.0
    static let rowHeight = 24.0

    /// The most characters of a bar's label that fit left of the bars; the whole label is in the bar's
    /// tooltip and in the table.
    static let labelCharacters = 34

    static func short(_ label: String) -> String {
        label.count <= labelCharacters ? label : String(label.prefix(labelCharacters - 1)) + "…"
    }

    /// Horizontal bars, one per `(label, value)`, scaled to the largest; the value printed after each.
    static func bars(
        id: String, title: String, desc: String, unit: String, _ items: [(label: String, value: Double, text: String)]
    ) -> ChartView {
        let largest = max(items.map(\.value).max() ?? 0, 1)
        var chart = ChartView(
            id: id, title: title, desc: desc, width: labelWidth + barArea + 90,
            height: Double(max(items.count, 1)) * rowHeight + 8, columns: ["", unit],
            rows: items.map { TableRow([$0.label, $0.text]) })
        for (index, item) in items.enumerated() {
            let y = Double(index) * rowHeight + 4
            let width = item.value / largest * barArea
            chart.marks.append(
                Mark(
                    x: labelWidth, y: y + 3, width: width, height: rowHeight - 8, series: "series-0",
                    tip: "\(item.label): \(item.text)"))
            chart.labels.append(
                Label(x: labelWidth - 6, y: y + rowHeight / 2 + 1, anchor: "end", text: short(item.label)))
            chart.labels.append(
                Label(x: labelWidth + width + 6, y: y + rowHeight / 2 + 1, anchor: "start", text: item.text))
        }
        return chart
    }

    /// Stacked columns, one per `(label, counts)`, the counts in `series` order.
    static func columns(
        id: String, title: String, desc: String, series: [String], _ items: [(label: String, counts: [Int])]
    ) -> ChartView {
        let plotHeight = 220.0
        let top = 10.0
        let columnWidth = max(min(40, 660 / Double(max(items.count, 1))), 4)
        let largest = Double(max(items.map { $0.counts.reduce(0, +) }.max() ?? 0, 1))
        var chart = ChartView(
            id: id, title: title, desc: desc, width: max(Double(items.count) * columnWidth + 60, 300),
            height: plotHeight + top + 40, columns: ["Day"] + series + ["Total"],
            rows: items.map { TableRow([$0.label] + $0.counts.map(String.init) + [String($0.counts.reduce(0, +))]) })
        chart.legend = series.enumerated().map { LegendItem(series: "series-\($0.offset)", name: $0.element) }
        chart.labels.append(Label(x: 44, y: top + 4, anchor: "end", text: String(Int(largest))))
        chart.labels.append(Label(x: 44, y: top + plotHeight, anchor: "end", text: "0"))
        for (index, item) in items.enumerated() {
            let x = 50 + Double(index) * columnWidth
            var bottom = top + plotHeight
            for (seriesIndex, count) in item.counts.enumerated() where count > 0 {
                let height = Double(count) / largest * plotHeight
                bottom -= height
                chart.marks.append(
                    Mark(
                        x: x + 1, y: bottom, width: columnWidth - 2, height: height, series: "series-\(seriesIndex)",
                        tip: "\(item.label), \(series[seriesIndex]): \(count)"))
            }
            // A day label under every column when they fit, else under every seventh.
            if columnWidth >= 30 || index % 7 == 0 {
                chart.labels.append(
                    Label(
                        x: x + columnWidth / 2, y: top + plotHeight + 16, anchor: "middle",
                        text: String(item.label.suffix(5))))
            }
        }
        return chart
    }
}
