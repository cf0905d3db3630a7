//! What the data part of a SIF file declares, as plain data: variables, groups and their
//! kinds, the first vector of constants, ranges, bounds and start values, quadratic terms,
//! element and group types and their uses.

use crate::hash::FastMap as HashMap;

/// Values at or beyond this magnitude are infinite.
pub const INFINITY: f64 = 1e20;

/// An ordered set of names with their indices.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Names in order of declaration.
    pub list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Names {
    /// Index of a name.
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
    /// Index of a name, adding it if new.
    pub fn add(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.list.len();
        self.list.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
    /// Number of names.
    pub fn len(&self) -> usize {
        self.list.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Kind of a group, from field 1 of its first card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// `N`: objective group.
    Objective,
    /// `E`: equality constraint.
    Equal,
    /// `L`: less-or-equal constraint.
    Less,
    /// `G`: greater-or-equal constraint.
    Greater,
}

/// A group as declared in the data part.
#[derive(Debug, Clone)]
pub struct GroupDef {
    /// Its kind.
    pub kind: GroupKind,
    /// Line where it was declared.
    pub line: usize,
    /// Linear terms (variable, coefficient); repeated variables are summed.
    pub linear: Vec<(usize, f64)>,
    /// 'SCALE' (the group is divided by it).
    pub scale: Option<f64>,
    /// Group type, when given on a T card.
    pub gtype: Option<usize>,
    /// Group parameter values by name.
    pub gparams: Vec<(String, f64)>,
    /// Nonlinear elements and their weights.
    pub elements: Vec<(usize, f64)>,
}

/// An element as declared in ELEMENT USES.
#[derive(Debug, Clone, Default)]
pub struct ElementDef {
    /// Element type, when given on a T card.
    pub etype: Option<usize>,
    /// Elemental variable name and problem variable.
    pub vars: Vec<(String, usize)>,
    /// Element parameter values by name.
    pub params: Vec<(String, f64)>,
    /// Line of the first card naming it.
    pub line: usize,
}

/// An element type from ELEMENT TYPE.
#[derive(Debug, Clone, Default)]
pub struct ElementTypeDecl {
    /// Elemental variables.
    pub evs: Vec<String>,
    /// Internal variables (empty: no range transformation).
    pub ivs: Vec<String>,
    /// Element parameters.
    pub eps: Vec<String>,
    /// Line of the first card.
    pub line: usize,
}

/// A group type from GROUP TYPE.
#[derive(Debug, Clone, Default)]
pub struct GroupTypeDecl {
    /// The group-type variable.
    pub var: String,
    /// Group parameters.
    pub params: Vec<String>,
    /// Line of the first card.
    pub line: usize,
}

/// The entries of one named vector of a section (constants, ranges, bounds, start values):
/// a default and the entries given. Only the first vector named in a section is used, as
/// SIFDecode does.
#[derive(Debug, Clone, Default)]
pub struct Entries<T> {
    /// Default for entries not given.
    pub default: T,
    /// Given entries.
    pub values: HashMap<usize, T>,
}

impl<T: Copy> Entries<T> {
    /// Entries all equal to `default`.
    pub fn with_default(default: T) -> Self {
        Self {
            default,
            values: HashMap::default(),
        }
    }

    /// The value of entry `i` (the default when it was not given).
    pub fn get(&self, i: usize) -> T {
        self.values.get(&i).copied().unwrap_or(self.default)
    }

    /// Sets entry `i`, or the default when `i` is `None`.
    pub(crate) fn set(&mut self, i: Option<usize>, value: T) {
        match i {
            Some(i) => {
                self.values.insert(i, value);
            }
            None => self.default = value,
        }
    }
}

/// Variable bounds as given.
#[derive(Debug, Clone)]
pub struct Bounds {
    /// Lower bounds (default 0).
    pub lo: Entries<f64>,
    /// Upper bounds (default +infinity).
    pub up: Entries<f64>,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            lo: Entries::with_default(0.0),
            up: Entries::with_default(f64::INFINITY),
        }
    }
}

/// Start point (variables and multipliers) as given.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// Variable values.
    pub x: Entries<f64>,
    /// Multiplier values (by group).
    pub y: Entries<f64>,
    /// True when any multiplier value (or default) was given.
    pub has_y: bool,
}

/// Everything the data part declares.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Problem name (NAME card).
    pub name: String,
    /// Variables.
    pub vars: Names,
    /// Groups.
    pub group_names: Names,
    /// Group definitions (parallel to `group_names`).
    pub groups: Vec<GroupDef>,
    /// Group constants b.
    pub constants: Entries<f64>,
    /// Ranges.
    pub ranges: Entries<Option<f64>>,
    /// Bounds.
    pub bounds: Bounds,
    /// Start point.
    pub start: Start,
    /// Quadratic objective entries (i, j, h): 0.5 h x_i^2 on the diagonal, h x_i x_j off it.
    pub quadratic: Vec<(usize, usize, f64)>,
    /// Element types.
    pub etype_names: Names,
    /// Element type declarations (parallel to `etype_names`).
    pub etypes: Vec<ElementTypeDecl>,
    /// Elements.
    pub element_names: Names,
    /// Element definitions (parallel to `element_names`).
    pub elements: Vec<ElementDef>,
    /// Group types.
    pub gtype_names: Names,
    /// Group type declarations (parallel to `gtype_names`).
    pub gtypes: Vec<GroupTypeDecl>,
    /// Default element type ('DEFAULT' T card).
    pub default_etype: Option<usize>,
    /// Default group type ('DEFAULT' T card).
    pub default_gtype: Option<usize>,
    /// Known lower and upper bounds on the objective.
    pub object_bounds: (Option<f64>, Option<f64>),
    /// Variable scale factors ('SCALE' in VARIABLES); recorded, not applied.
    pub var_scale: HashMap<usize, f64>,
}
