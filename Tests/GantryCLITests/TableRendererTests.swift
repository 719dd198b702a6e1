import Testing

@testable import GantryCLI

@Suite struct TableRendererTests {
    @Test func alignsColumnsToTheWidestCell() {
        let output = TableRenderer("NAME", "STATE").render([
            ["web", "running"],
            ["database-primary", "pending"],
        ])
        #expect(
            output == """
                NAME               STATE
                web                running
                database-primary   pending

                """)
    }

    @Test func rightAlignedColumnsPadOnTheLeft() {
        let renderer = TableRenderer(columns: [.init("RESOURCE"), .init("USED", alignment: .right)])
        let output = renderer.render([["cpu", "0.5"], ["memory_mb", "16384"]])
        #expect(
            output == """
                RESOURCE     USED
                cpu           0.5
                memory_mb   16384

                """)
    }

    @Test func everyLineStartsEachColumnAtTheSameOffset() {
        let output = TableRenderer("ID", "NAME", "IMAGE").render([
            ["1a2b3c4d", "a", "jupyter"],
            ["5e6f7a8b", "a-much-longer-name", "x"],
        ])
        let lines = output.split(separator: "\n").map(String.init)
        // ID is 8 wide and NAME 18, each followed by a 3-space gap.
        let nameColumn = 8 + 3
        let imageColumn = nameColumn + 18 + 3
        #expect(lines.map { $0.dropFirst(nameColumn).prefix(4) } == ["NAME", "a   ", "a-mu"])
        #expect(lines.map { $0.dropFirst(imageColumn) } == ["IMAGE", "jupyter", "x"])
    }

    @Test func headerOnlyWhenThereAreNoRows() {
        #expect(TableRenderer("ID", "NAME").render([]) == "ID   NAME\n")
    }

    @Test func noTrailingSpacesAndMissingCellsRenderEmpty() {
        let output = TableRenderer("A", "B", "C").render([["x"], ["y", "", ""]])
        for line in output.split(separator: "\n") {
            #expect(line.last != " ")
        }
        #expect(output == "A   B   C\nx\ny\n")
    }

    @Test func lineBreaksInsideCellsDoNotBreakTheGrid() {
        let output = TableRenderer("NAME", "REASON").render([["web", "pull failed:\nnot found\r\nagain\tx"]])
        #expect(output.split(separator: "\n").count == 2)
        #expect(output.hasSuffix("web    pull failed: not found again x\n"))
    }

    @Test func detailRendererAlignsValues() {
        let output = DetailRenderer.render([("ID", "abc"), ("Desired state", "running"), ("Empty", "")])
        #expect(
            output == """
                ID:             abc
                Desired state:  running
                Empty:

                """)
    }
}
