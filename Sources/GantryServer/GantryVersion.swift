/// The release this build is, shown in the dashboard's footer.
public enum GantryVersion {
    public static let current = "0.5.0"
}
