/// The labels every Gantry container carries.
public enum ContainerLabels {
    public static let kind = "gantry.kind"
    public static let id = "gantry.id"
    public static let owner = "gantry.owner"
    public static let installation = "gantry.installation"
    public static let name = "gantry.name"
}
