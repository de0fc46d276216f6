use super::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum WorkMode {
    Onsite,
    Hybrid,
    Remote,
}
string_enum!(WorkMode { Onsite => "onsite", Hybrid => "hybrid", Remote => "remote" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum EmploymentType {
    Permanent,
    Contract,
    Temporary,
    Apprenticeship,
}
string_enum!(EmploymentType { Permanent => "permanent", Contract => "contract", Temporary => "temporary", Apprenticeship => "apprenticeship" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum JobStatus {
    Open,
    Closed,
}
string_enum!(JobStatus { Open => "open", Closed => "closed" });
