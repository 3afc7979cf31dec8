package io.blobrepair.work;

/** The three work lists, in the order a cycle walks them. */
public enum WorkListName {
    UPLOADS("uploads"),
    PREVIEWS("previews"),
    QM_CIDS("qm_cids"),
    /** All lists walked. */
    DONE("done");

    private final String label;

    WorkListName(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static WorkListName ofLabel(String label) {
        for (WorkListName n : values()) {
            if (n.label.equals(label)) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown work list '" + label + "'");
    }
}
