/// The characters a Docker image reference may hold: `[registry[:port]/]path[:tag][@digest]`.
public enum ImageReferenceSyntax {
    public static func isValid(_ text: String) -> Bool {
        guard (1...512).contains(text.count), let first = text.first, first.isLetter || first.isNumber else {
            return false
        }
        return text.allSatisfy { character in
            character.isASCII
                && (character.isLetter || character.isNumber || "._-/:@".contains(character))
        }
    }
}
